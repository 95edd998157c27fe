package org.bulkfhir.config;

import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.settings.BulkFhirProperties;
import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.context.FhirContext;
import org.bulkfhir.admin.AdminLoginThrottle;
import org.bulkfhir.admin.AdminPasswordPolicy;
import org.bulkfhir.admin.AdminResponseFilter;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.storage.ExportFileStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The admin API's jobs controller and the admin UI's error handling, response headers and password rule.
 * Imported by {@link BulkFhirConfiguration}; hosts scan this package, so it carries the plugin's
 * switch itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class AdminConfiguration {

	@Bean
	public org.bulkfhir.admin.AdminJobsController bulkfhirAdminJobsController(
			ExportJobService jobs,
			IJobCoordinator coordinator,
			ExportFileStore store,
			ExportJobStore bulkfhirJobStore,
			FhirContext fhirContext,
			org.bulkfhir.auth.ClientRegistry clients,
			BulkFhirProperties properties) {
		return new org.bulkfhir.admin.AdminJobsController(jobs, coordinator, store, bulkfhirJobStore,
				fhirContext, clients, properties.export().expiry());
	}

	@Bean
	public org.bulkfhir.admin.AdminExceptionHandler bulkfhirAdminExceptionHandler() {
		return new org.bulkfhir.admin.AdminExceptionHandler();
	}

	/** nosniff on every admin response and the throttle of failed admin logins. */
	@Bean
	public FilterRegistrationBean<AdminResponseFilter> bulkfhirAdminFilter(BulkFhirProperties properties) {
		AdminLoginThrottle throttle = new AdminLoginThrottle(
				properties.admin().maxFailedLogins(), properties.admin().failedLoginWindow());
		FilterRegistrationBean<AdminResponseFilter> registration =
				new FilterRegistrationBean<>(new AdminResponseFilter(throttle));
		registration.setName("bulkfhirAdminFilter");
		registration.addUrlPatterns("/admin", "/admin/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
		return registration;
	}

	/** Refuses a short admin password before anything else starts. */
	@Bean
	public static AdminPasswordPolicy bulkfhirAdminPasswordPolicy() {
		return new AdminPasswordPolicy();
	}
}
