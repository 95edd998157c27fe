package org.bulkfhir.config;

import org.bulkfhir.settings.BulkFhirProperties;
import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.broker.api.IChannelProducer;
import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.cluster.ClusterNodes;
import org.bulkfhir.cluster.EnqueueClaimer;
import org.bulkfhir.cluster.WorkClaims;
import org.bulkfhir.export.ExportJobService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;

/**
 * Node liveness, work claims and the cluster lock (org.bulkfhir.cluster).
 * Imported by {@link BulkFhirConfiguration}; hosts scan this package, so it carries the plugin's
 * switch itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class ClusterConfiguration {

	@Bean
	public ClusterNodes bulkfhirClusterNodes(NamedParameterJdbcTemplate bulkfhirJdbc, BulkFhirProperties properties) {
		return new ClusterNodes(bulkfhirJdbc.getJdbcTemplate(), properties.cluster().heartbeatInterval(),
				properties.cluster().nodeTimeout());
	}

	@Bean
	public WorkClaims bulkfhirWorkClaims(NamedParameterJdbcTemplate bulkfhirJdbc, ClusterNodes nodes) {
		return new WorkClaims(bulkfhirJdbc, nodes);
	}

	/** Attached when created: before HAPI's schedulers start, so no chunk of ours is queued unclaimed. */
	@Bean
	public EnqueueClaimer bulkfhirEnqueueClaimer(
			WorkClaims claims, ObjectProvider<IChannelProducer<JobWorkNotification>> workChannelProducers) {
		return new EnqueueClaimer(claims, ExportJobService.JOB_DEFINITION_ID)
				.attachTo(new ArrayList<>(workChannelProducers.orderedStream().toList()));
	}

	@Bean
	public ClusterLock bulkfhirClusterLock(DataSource dataSource, NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ClusterLock(dataSource, bulkfhirJdbc.getJdbcTemplate());
	}
}
