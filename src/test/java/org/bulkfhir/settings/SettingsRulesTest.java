package org.bulkfhir.settings;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/** Binds the settings the way the plugin's configuration does and shows which values stop the start-up. */
class SettingsRulesTest {

	private final ApplicationContextRunner context = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
			.withUserConfiguration(SettingsOnly.class);

	/** Not a {@code @Configuration}: the drop-in tests' hosts scan this package, as jpaserver-starter does. */
	@org.springframework.boot.context.properties.EnableConfigurationProperties(BulkFhirProperties.class)
	static class SettingsOnly {
	}

	@Test
	void theDefaultsStart() {
		context.run(started -> assertThat(started).hasNotFailed());
	}

	@Test
	void aChunkOfNoPatientsStopsTheStartUpNamingTheSetting() {
		context.withPropertyValues("bulkfhir.export.patients-per-chunk=0").run(failed ->
				assertThat(failed).getFailure()
						.hasStackTraceContaining("export.patientsPerChunk")
						.hasStackTraceContaining("must be at least 1"));
	}

	@Test
	void aNodeTimeoutShorterThanTwoHeartbeatsStopsTheStartUp() {
		context.withPropertyValues("bulkfhir.cluster.heartbeat-interval=5s", "bulkfhir.cluster.node-timeout=8s")
				.run(failed -> assertThat(failed).getFailure()
						.hasStackTraceContaining("cluster.nodeTimeout")
						.hasStackTraceContaining("twice"));
	}

	@Test
	void zeroDurationsAndNegativeLimitsAreRefused() {
		context.withPropertyValues("bulkfhir.export.expiry=0s", "bulkfhir.storage.min-free-bytes=-1",
						"bulkfhir.auth.token-lifetime=-5m")
				.run(failed -> assertThat(failed).getFailure()
						.hasStackTraceContaining("export.expiry")
						.hasStackTraceContaining("storage.minFreeBytes")
						.hasStackTraceContaining("auth.tokenLifetime"));
	}

	@Test
	void zeroStillMeansNoLimitWhereTheDocsSaySo() {
		context.withPropertyValues("bulkfhir.export.max-running-per-client=0", "bulkfhir.export.max-finished-per-client=0",
						"bulkfhir.storage.max-total-bytes=0")
				.run(started -> assertThat(started).hasNotFailed());
	}
}
