package org.bulkfhir.dropin;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/**
 * The host's own RestfulServer at /fhir, built in one bean method as the starter builds it, and
 * the starter's extension point: a component scan of {@code hapi.fhir.custom-bean-packages}.
 */
@Configuration
@ComponentScan(basePackages = {"${hapi.fhir.custom-bean-packages:}"})
public class StarterStyleServerConfig {

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders,
			JpaSystemProvider<?, ?> systemProvider,
			DatabaseBackedPagingProvider pagingProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			BulkDataExportProvider stockBulkExport,
			@Value("${hapi.fhir.bulk_export_enabled:false}") boolean bulkExportEnabled) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.setServerName("starter-style host");
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		server.setPagingProvider(pagingProvider);
		server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
		server.setServerConformanceProvider(new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport));
		if (bulkExportEnabled) {
			server.registerProvider(stockBulkExport);
		}
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> hapiServletRegistration(RestfulServer restfulServer) {
		ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restfulServer, "/fhir/*");
		registration.setLoadOnStartup(1);
		return registration;
	}
}
