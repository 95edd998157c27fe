package org.bulkfhir.settings;

import org.springframework.validation.Errors;

import java.time.Duration;

/**
 * The limits of the {@code bulkfhir.*} settings. Spring Boot runs them when it binds the settings
 * ({@link BulkFhirProperties} is its own {@code Validator}), so a value outside them stops the
 * start-up with a message naming the setting, instead of a server that misbehaves later (a chunk of
 * zero patients, a node timeout shorter than the heartbeat that declares living nodes dead).
 * A Spring {@code Validator} rather than Bean Validation annotations: some rules relate two settings
 * (the node timeout against the heartbeat), and the check must not depend on whether the host wires a
 * Bean Validation provider into its configuration-properties binding.
 */
final class SettingsRules {

	private SettingsRules() {}

	static void check(BulkFhirProperties settings, Errors errors) {
		BulkFhirProperties.Export export = settings.export();
		atLeast(errors, "export.maxResourcesPerFile", export.maxResourcesPerFile(), 1);
		atLeast(errors, "export.maxBytesPerFile", export.maxBytesPerFile(), 1024);
		atLeast(errors, "export.patientsPerChunk", export.patientsPerChunk(), 1);
		atLeast(errors, "export.resourcesPerChunk", export.resourcesPerChunk(), 1);
		atLeast(errors, "export.retryAfterSeconds", export.retryAfterSeconds(), 1);
		atLeast(errors, "export.maxRunningPerClient", export.maxRunningPerClient(), 0);
		atLeast(errors, "export.maxFinishedPerClient", export.maxFinishedPerClient(), 0);
		atLeast(errors, "export.manifestPageSize", export.manifestPageSize(), 1);
		positive(errors, "export.pacerInterval", export.pacerInterval());
		positive(errors, "export.expiry", export.expiry());
		positive(errors, "export.purgeInterval", export.purgeInterval());

		BulkFhirProperties.Storage storage = settings.storage();
		if (storage.directory() == null || storage.directory().isBlank()) {
			errors.rejectValue("storage.directory", "required", "must name a directory");
		}
		atLeast(errors, "storage.maxTotalBytes", storage.maxTotalBytes(), 0);
		atLeast(errors, "storage.minFreeBytes", storage.minFreeBytes(), 0);

		BulkFhirProperties.Cluster cluster = settings.cluster();
		positive(errors, "cluster.heartbeatInterval", cluster.heartbeatInterval());
		if (isPositive(cluster.heartbeatInterval()) && isPositive(cluster.nodeTimeout())
				&& cluster.nodeTimeout().compareTo(cluster.heartbeatInterval().multipliedBy(2)) < 0) {
			errors.rejectValue("cluster.nodeTimeout", "range",
					"must be at least twice bulkfhir.cluster.heartbeat-interval, or living nodes are taken for dead");
		}
		positive(errors, "cluster.nodeTimeout", cluster.nodeTimeout());

		BulkFhirProperties.Auth auth = settings.auth();
		positive(errors, "auth.tokenLifetime", auth.tokenLifetime());
		positive(errors, "auth.jwksTimeout", auth.jwksTimeout());
		notNegative(errors, "auth.jwksCache", auth.jwksCache());

		BulkFhirProperties.Admin admin = settings.admin();
		atLeast(errors, "admin.maxFailedLogins", admin.maxFailedLogins(), 1);
		positive(errors, "admin.failedLoginWindow", admin.failedLoginWindow());

		notNegative(errors, "metrics.gaugeCache", settings.metrics().gaugeCache());
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
