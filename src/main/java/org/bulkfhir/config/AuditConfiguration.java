package org.bulkfhir.config;

import org.bulkfhir.audit.AuditSource;
import org.bulkfhir.audit.AuditEntry;
import org.bulkfhir.audit.FhirAuditEvents;
import org.bulkfhir.audit.BulkAuditInterceptor;
import org.bulkfhir.audit.AuditRetention;
import org.bulkfhir.audit.AuditTrail;
import org.bulkfhir.audit.AuditProperties;
import org.bulkfhir.admin.AdminAuditFilter;
import org.bulkfhir.admin.AdminAccess;
import org.bulkfhir.admin.AdminAuditController;
import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.lifecycle.RestfulServerRegistrar;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportPurge;
import org.bulkfhir.read.GroupMembers;
import org.springframework.beans.factory.ObjectProvider;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.List;

/** The audit trail (table {@code BF_AUDIT}), what writes to it, its retention and its admin API. */
@Configuration(proxyBeanMethods = false)
// the hosts scan org.bulkfhir.config, so a class here carries the plugin's switch itself
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(AuditProperties.class)
public class AuditConfiguration {


	@Bean
	public AuditTrail bulkfhirAuditTrail(NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new AuditTrail(bulkfhirJdbc.getJdbcTemplate());
	}

	/** Off by default: AuditEvents in HAPI are readable by every token that may read AuditEvent. */
	@Bean(destroyMethod = "shutdown")
	@ConditionalOnProperty(name = "bulkfhir.audit.fhir-audit-events", havingValue = "true")
	public FhirAuditEvents bulkfhirFhirAuditEvents(AuditTrail trail, DaoRegistry daoRegistry) {
		FhirAuditEvents events = new FhirAuditEvents(daoRegistry);
		trail.copyTo(events);
		return events;
	}

	@Bean
	public AuditSource bulkfhirAuditSource(AuditProperties audit) {
		return new AuditSource(audit.recordForwardedFor());
	}

	@Bean
	public RestfulServerRegistrar bulkfhirAuditRegistrar(
			AuditTrail trail, AuditSource source, ExportJobService jobs, GroupMembers groupMembers) {
		return new RestfulServerRegistrar(List.of(), List.of(new BulkAuditInterceptor(trail, source, jobs, groupMembers)));
	}

	/** Inside the admin filter (login throttle, nosniff): sees what the controllers answered. */
	@Bean
	public FilterRegistrationBean<AdminAuditFilter> bulkfhirAdminAuditFilter(
			AuditTrail trail, AuditSource source, ObjectProvider<ExportJobService> jobs, AdminAccess access) {
		FilterRegistrationBean<AdminAuditFilter> registration =
				new FilterRegistrationBean<>(new AdminAuditFilter(trail, source, jobs::getObject, access));
		registration.setName("bulkfhirAdminAuditFilter");
		registration.addUrlPatterns("/admin", "/admin/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 110);
		return registration;
	}

	@Bean
	public AuditRetention bulkfhirAuditRetention(
			AuditTrail trail, ClusterLock lock, AuditProperties audit) {
		return new AuditRetention(trail, lock, audit.retention(),
				audit.purgeInterval());
	}

	@Bean
	public AdminAuditController bulkfhirAdminAuditController(AuditTrail trail) {
		return new AdminAuditController(trail);
	}

	/** Expired jobs removed by the purge: who owned them, which Group, recorded as done by the server. */
	@Bean
	public PurgeAuditing bulkfhirAuditPurgeListener(ExportPurge purge, AuditTrail trail) {
		purge.onPurged((jobId, params) -> {
			AuditEntry entry = AuditEntry.of("export.purge")
					.actor(AuditEntry.ACTOR_SYSTEM, "bulkfhir")
					.job(jobId)
					.client(params == null ? null : params.getClientId())
					.group(params == null ? null : params.getGroupId())
					.detail("reason", "expired: files and job records deleted")
					.outcome(200, null);
			try {
				trail.insert(entry);
			} catch (RuntimeException e) {
				AuditTrail.failed(entry, e);
			}
		});
		return new PurgeAuditing();
	}

	/** Marks that the purge reports to the audit trail. */
	public static final class PurgeAuditing {}
}
