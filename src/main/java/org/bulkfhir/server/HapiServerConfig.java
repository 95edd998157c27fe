package org.bulkfhir.server;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.HibernatePropertiesProvider;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManagerFactory;
import org.bulkfhir.config.BulkFhirConfiguration;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.dialect.Dialect;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.orm.jpa.JpaProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

import javax.sql.DataSource;

/**
 * A stock HAPI JPA R4 server, wired the way jpaserver-starter wires it (HAPI's own configuration
 * classes, its entity manager factory utility, a RestfulServer at /fhir), plus the plugin.
 */
@Configuration
@Import({
	JpaR4Config.class,
	ThreadPoolFactoryConfig.class,
	SubscriptionChannelConfig.class,
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	BulkFhirConfiguration.class
})
public class HapiServerConfig {

	@Bean
	public JpaStorageSettings jpaStorageSettings(
			@Value("${bulkfhir.server.stock-fast-maintenance:false}") boolean stockFastMaintenance,
			@Value("${bulkfhir.server.tag-storage-mode:VERSIONED}") JpaStorageSettings.TagStorageModeEnum tagStorageMode) {
		JpaStorageSettings settings = new JpaStorageSettings();
		// HAPI's default (VERSIONED) unless told otherwise: the tests run the other modes too.
		settings.setTagStorageMode(tagStorageMode);
		settings.setAllowExternalReferences(true);
		settings.setAllowMultipleDelete(true);
		// Benchmark only: stock batch2 in its fastest form (see StockMaintenancePacer).
		settings.setJobFastTrackingEnabled(stockFastMaintenance);
		return settings;
	}

	@Bean
	public PartitionSettings partitionSettings() {
		return new PartitionSettings();
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		return new SubscriptionSettings();
	}

	@Primary
	@Bean
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			JpaProperties jpaProperties,
			DataSource dataSource,
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings) {
		LocalContainerEntityManagerFactoryBean factory =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		var props = jpaProperties.getProperties();
		props.putIfAbsent(AvailableSettings.SCANNER, "org.hibernate.boot.archive.scan.internal.DisabledScanner");
		props.putIfAbsent(AvailableSettings.IMPLICIT_NAMING_STRATEGY,
				"org.springframework.boot.orm.jpa.hibernate.SpringImplicitNamingStrategy");
		props.putIfAbsent(AvailableSettings.PHYSICAL_NAMING_STRATEGY,
				"org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy");
		props.putIfAbsent(AvailableSettings.HBM2DDL_AUTO, "update");
		props.putIfAbsent(AvailableSettings.STATEMENT_BATCH_SIZE, "20");
		props.putIfAbsent(AvailableSettings.USE_SECOND_LEVEL_CACHE, "false");
		props.putIfAbsent(AvailableSettings.USE_QUERY_CACHE, "false");
		props.putIfAbsent("hibernate.search.enabled", "false");
		props.putIfAbsent(AvailableSettings.DIALECT, HapiFhirH2Dialect.class.getName());
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setJpaPropertyMap(props);
		factory.setDataSource(dataSource);
		return factory;
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		JpaTransactionManager manager = new JpaTransactionManager();
		manager.setEntityManagerFactory(entityManagerFactory);
		return manager;
	}

	@Primary
	@Bean
	public HibernatePropertiesProvider hibernatePropertiesProvider(JpaProperties jpaProperties) {
		String dialectClass = jpaProperties.getProperties()
				.getOrDefault(AvailableSettings.DIALECT, HapiFhirH2Dialect.class.getName());
		return new HibernatePropertiesProvider() {
			@Override
			public Dialect getDialect() {
				try {
					return (Dialect) Class.forName(dialectClass).getDeclaredConstructor().newInstance();
				} catch (ReflectiveOperationException e) {
					throw new IllegalStateException("Cannot create Hibernate dialect " + dialectClass, e);
				}
			}
		};
	}

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders,
			JpaSystemProvider<?, ?> systemProvider,
			DatabaseBackedPagingProvider pagingProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			DaoRegistry daoRegistry,
			ObjectProvider<BulkDataExportProvider> stockExportProvider,
			@Value("${bulkfhir.server.stock-export:false}") boolean stockExport,
			@Value("${bulkfhir.enabled:true}") boolean bulkfhirEnabled) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.setServerName("bulkfhir (HAPI FHIR JPA R4)");
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		if (stockExport) {
			// Benchmark mode: HAPI's own $export instead of ours; both cannot own the same operations.
			if (bulkfhirEnabled) {
				throw new IllegalStateException("bulkfhir.server.stock-export=true needs bulkfhir.enabled=false");
			}
			server.registerProvider(stockExportProvider.getObject());
		}
		server.setPagingProvider(pagingProvider);
		server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
		JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport);
		capabilities.setImplementationDescription("HAPI FHIR R4 Server with bulkfhir Bulk Data export");
		server.setServerConformanceProvider(capabilities);
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restfulServer) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restfulServer, "/fhir/*");
		registration.setLoadOnStartup(1);
		return registration;
	}
}
