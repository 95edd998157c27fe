package org.bulkfhir.settings;

import org.springframework.validation.Errors;

import java.time.Duration;

/**
 * The limits of the {@code bulkfhir.*} settings. Spring Boot runs them when it binds the settings
 * ({@link BulkFhirProperties} is its own {@code Validator}), so a value outside them stops the
 * start-up with a message naming the setting, instead of a server that misbehaves later (a chunk of
 * zero patients, a node timeout shorter than the heartbeat that declares living nodes dead).
 * A Spring {@code Validator} rather than Bean Validation annotations: jpaserver-starter has no
 * Bean Validation provider, so those would be ignored there.
 */
final class SettingsRules {

	private SettingsRules() {}

	static void check(BulkFhirProperties settings, Errors errors) {
		BulkFhirProperties.Export export = settings.getExport();
		atLeast(errors, "export.maxResourcesPerFile", export.getMaxResourcesPerFile(), 1);
		atLeast(errors, "export.maxBytesPerFile", export.getMaxBytesPerFile(), 1024);
		atLeast(errors, "export.patientsPerChunk", export.getPatientsPerChunk(), 1);
		atLeast(errors, "export.resourcesPerChunk", export.getResourcesPerChunk(), 1);
		atLeast(errors, "export.retryAfterSeconds", export.getRetryAfterSeconds(), 1);
		atLeast(errors, "export.maxRunningPerClient", export.getMaxRunningPerClient(), 0);
		atLeast(errors, "export.maxFinishedPerClient", export.getMaxFinishedPerClient(), 0);
		atLeast(errors, "export.manifestPageSize", export.getManifestPageSize(), 1);
		positive(errors, "export.pacerInterval", export.getPacerInterval());
		positive(errors, "export.expiry", export.getExpiry());
		positive(errors, "export.purgeInterval", export.getPurgeInterval());

		BulkFhirProperties.Storage storage = settings.getStorage();
		if (storage.getDirectory() == null || storage.getDirectory().isBlank()) {
			errors.rejectValue("storage.directory", "required", "must name a directory");
		}
		atLeast(errors, "storage.maxTotalBytes", storage.getMaxTotalBytes(), 0);
		atLeast(errors, "storage.minFreeBytes", storage.getMinFreeBytes(), 0);

		BulkFhirProperties.Cluster cluster = settings.getCluster();
		positive(errors, "cluster.heartbeatInterval", cluster.getHeartbeatInterval());
		if (isPositive(cluster.getHeartbeatInterval()) && isPositive(cluster.getNodeTimeout())
				&& cluster.getNodeTimeout().compareTo(cluster.getHeartbeatInterval().multipliedBy(2)) < 0) {
			errors.rejectValue("cluster.nodeTimeout", "range",
					"must be at least twice bulkfhir.cluster.heartbeat-interval, or living nodes are taken for dead");
		}
		positive(errors, "cluster.nodeTimeout", cluster.getNodeTimeout());

		BulkFhirProperties.Auth auth = settings.getAuth();
		positive(errors, "auth.tokenLifetime", auth.getTokenLifetime());
		positive(errors, "auth.jwksTimeout", auth.getJwksTimeout());
		notNegative(errors, "auth.jwksCache", auth.getJwksCache());

		BulkFhirProperties.Admin admin = settings.getAdmin();
		atLeast(errors, "admin.maxFailedLogins", admin.getMaxFailedLogins(), 1);
		positive(errors, "admin.failedLoginWindow", admin.getFailedLoginWindow());

		notNegative(errors, "metrics.gaugeCache", settings.getMetrics().getGaugeCache());
	}

	private static void atLeast(Errors errors, String field, long value, long minimum) {
		if (value < minimum) {
			errors.rejectValue(field, "range", "must be at least " + minimum);
		}
	}

	private static void positive(Errors errors, String field, Duration value) {
		if (!isPositive(value)) {
			errors.rejectValue(field, "range", "must be a duration above zero");
		}
	}

	private static void notNegative(Errors errors, String field, Duration value) {
		if (value == null || value.isNegative()) {
			errors.rejectValue(field, "range", "must be zero or more");
		}
	}

	private static boolean isPositive(Duration value) {
		return value != null && !value.isZero() && !value.isNegative();
	}
}
