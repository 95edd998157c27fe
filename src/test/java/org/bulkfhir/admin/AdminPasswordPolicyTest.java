package org.bulkfhir.admin;

import org.bulkfhir.server.BulkFhirServerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A configured admin password shorter than 12 characters stops the start-up with a message that
 * says why; the demo password is accepted only in the {@code demo} profile. (An unset password
 * keeps meaning "admin off": every admin URL answers 401, see AdminJobsApiTest and
 * AdminResponseHeadersTest.)
 */
class AdminPasswordPolicyTest {

	@Test
	void aShortPasswordStopsTheStartUp() {
		assertThatThrownBy(() -> start("bulkfhir.admin.password=short-pw"))
				.satisfies(e -> assertThat(causes(e))
						.contains("bulkfhir.admin.password")
						.contains("at least 12 characters")
						.doesNotContain("short-pw"));
	}

	@Test
	void theDemoPasswordOutsideTheDemoProfileStopsTheStartUp() {
		assertThatThrownBy(() -> start("bulkfhir.admin.password=" + AdminAccess.DEMO_PASSWORD))
				.satisfies(e -> assertThat(causes(e)).contains("at least 12 characters"));
	}

	private static void start(String property) {
		Path data = Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
		SpringApplicationBuilder builder = new SpringApplicationBuilder(BulkFhirServerApplication.class)
				.properties("server.port=0", "bulkfhir.data-dir=" + data, property);
		try (ConfigurableApplicationContext ignored = builder.run()) {
			// started: the assertion fails
		}
	}

	private static String causes(Throwable e) {
		StringBuilder text = new StringBuilder();
		for (Throwable t = e; t != null; t = t.getCause()) {
			text.append(t.getMessage()).append('\n');
		}
		return text.toString();
	}
}
