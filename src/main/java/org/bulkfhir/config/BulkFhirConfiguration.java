package org.bulkfhir.config;

import org.bulkfhir.lifecycle.RestfulServerRegistrar;
import org.bulkfhir.export.ExportAvailabilityInterceptor;
import org.bulkfhir.read.ExportAvailability;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.settings.BulkFhirProperties;
import org.bulkfhir.errors.GenericErrorInterceptor;
import org.bulkfhir.export.ExportFileProvider;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.export.ExportStatusProvider;
import org.bulkfhir.schema.BulkFhirSchema;
import org.bulkfhir.storage.ExportFileStore;
import org.bulkfhir.storage.FilesystemExportFileStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Switches the plugin on inside a HAPI JPA R4 Spring context: the export job, its endpoints and
 * the services behind them. Every bean name starts with "bulkfhir" so nothing clashes with the
 * host's beans (jpaserver-starter forbids bean overriding). {@code bulkfhir.enabled=false} leaves
 * every one of them out (the benchmark uses it to let stock HAPI's $export answer on the same server
 * and data).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BulkFhirProperties.class)
@Import({ReadLayerConfiguration.class, ClusterConfiguration.class, ExportJobConfiguration.class,
		ExportEndpointsConfiguration.class, AdminConfiguration.class, AuthConfiguration.class, AuditConfiguration.class})
public class BulkFhirConfiguration {

	/**
	 * Metrics and health (org.bulkfhir.metrics); a member class so that importing BulkFhirConfiguration
	 * brings it. A package scan finds it on its own too, so it carries the switch itself.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
	@Import(org.bulkfhir.metrics.MetricsConfiguration.class)
	static class Metrics {}

	@Bean
	public ExportFileStore bulkfhirFileStore(BulkFhirProperties properties) throws IOException {
		return new FilesystemExportFileStore(Path.of(properties.storage().directory()));
	}

	@Bean
	public BulkFhirSchema bulkfhirSchema(DataSource dataSource) {
		return new BulkFhirSchema(dataSource);
	}

	/** Every bean reaches the plugin's tables through this template, so they are migrated first. */
	@Bean
	public NamedParameterJdbcTemplate bulkfhirJdbc(DataSource dataSource, BulkFhirSchema bulkfhirSchema) {
		return new NamedParameterJdbcTemplate(dataSource);
	}

	@Bean
	public ExportJobStore bulkfhirJobStore(NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ExportJobStore(bulkfhirJdbc.getJdbcTemplate(), ExportJobService.JOB_DEFINITION_ID);
	}

	@Bean
	public TransactionTemplate bulkfhirTransactions(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

	@Bean
	public RestfulServerRegistrar bulkfhirRestfulServerRegistrar(
			ExportKickoffProvider kickoff,
			ExportStatusProvider status,
			ExportFileProvider files,
			GenericErrorInterceptor bulkfhirGenericErrors,
			ExportAvailability availability) {
		return new RestfulServerRegistrar(
				List.of(kickoff, status, files),
				List.of(bulkfhirGenericErrors, new ExportAvailabilityInterceptor(availability)));
	}

	@Bean
	public GenericErrorInterceptor bulkfhirGenericErrors(BulkFhirProperties properties) {
		return new GenericErrorInterceptor(properties.errors().scope());
	}
}
