package org.bulkfhir.metrics;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.core.instrument.MeterRegistry;
import org.bulkfhir.auth.SmartEndpoints;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.settings.BulkFhirProperties;
import org.bulkfhir.read.ExportAvailability;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Metrics and health of the plugin, in whatever the host has: the meters go into the host's
 * Micrometer {@link MeterRegistry} (the one Actuator's {@code /actuator/prometheus} publishes) when
 * there is one, and the health indicators join Actuator's {@code /actuator/health} when Actuator is
 * there. A host with neither gets nothing and loads none of their classes (each part is a class
 * condition, checked before its class is loaded).
 */
@Configuration(proxyBeanMethods = false)
public class MetricsConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(MetricsConfiguration.class);

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	@ConditionalOnProperty(name = "bulkfhir.metrics.enabled", havingValue = "true", matchIfMissing = true)
	static class Meters {

		/** Holds the meters, or nothing when the host has no registry; only so that the binding is a bean. */
		public record MetricsBinding(BulkFhirMeters meters) {}

		@Bean
		public MetricsBinding bulkfhirMetricsBinding(
				ObjectProvider<MeterRegistry> registries,
				ExportFileStore store,
				NamedParameterJdbcTemplate bulkfhirJdbc,
				IInterceptorService interceptorService,
				ObjectProvider<SmartEndpoints> smartEndpoints,
				BulkFhirProperties properties) {
			MeterRegistry registry = registries.getIfUnique();
			if (registry == null) {
				LOG.info("bulkfhir metrics: the host has no (single or primary) Micrometer MeterRegistry; none registered");
				return new MetricsBinding(null);
			}
			BulkFhirProperties.Metrics settings = properties.metrics();
			BulkFhirMeters meters = new BulkFhirMeters(
					registry, settings.clientLabel(), store,
					new ExportJobStore(bulkfhirJdbc.getJdbcTemplate(), ExportJobService.JOB_DEFINITION_ID),
					settings.gaugeCache());
			interceptorService.registerInterceptor(new ExportLifecycleHooks(meters));
			smartEndpoints.forEach(endpoints -> endpoints.addListener(meters));
			LOG.info("bulkfhir metrics registered in {}", registry.getClass().getSimpleName());
			return new MetricsBinding(meters);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
	static class HealthIndicators {

		/** Shown as {@code bulkfhirExportStore} in {@code /actuator/health}. */
		@Bean
		public ExportStoreHealthIndicator bulkfhirExportStoreHealthIndicator(
				ExportFileStore store, BulkFhirProperties properties) {
			return new ExportStoreHealthIndicator(
					store, properties.storage().maxTotalBytes(), properties.storage().minFreeBytes());
		}

		/** Shown as {@code bulkfhirCompatibility} in {@code /actuator/health}. */
		@Bean
		public ExportCompatibilityHealthIndicator bulkfhirCompatibilityHealthIndicator(ExportAvailability availability) {
			return new ExportCompatibilityHealthIndicator(availability);
		}
	}
}
