package org.bulkfhir.dropin;

import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** In a jpaserver-starter-style host, {@code bulkfhir.auth.protect-fhir-api=true} puts the host's whole FHIR API behind tokens. */
@SpringBootTest(
		classes = StarterStyleApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = "bulkfhir.auth.protect-fhir-api=true")
@TestPropertySource(locations = "classpath:org/bulkfhir/dropin/starter-style.properties")
@ExtendWith(OutputCaptureExtension.class)
class StarterStyleProtectionTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void isolatedStorage(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestPort.registerServerPort(registry);
		org.bulkfhir.support.TestDatabase.register(registry, DATA_DIR);
		registry.add("bulkfhir.storage.directory", () -> DATA_DIR.resolve("exports").toString());
	}

	@Test
	void oneSettingProtectsTheHostsFhirApi(CapturedOutput output) throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		BulkClient anonymous = new BulkClient(base);
		assertThat(anonymous.send(anonymous.request("Patient").GET().build()).statusCode()).isEqualTo(401);
		assertThat(anonymous.send(anonymous.request("metadata").GET().build()).statusCode()).isEqualTo(200);

		TestApps apps = new TestApps(base);
		BulkClient reader = new BulkClient(base).withToken(apps.tokens(apps.register("system", "system/*.read"), "system/*.read"));
		assertThat(reader.send(reader.request("Patient").GET().build()).statusCode()).isEqualTo(200);
		HttpRequest create = reader.request("Patient")
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\"}"))
				.build();
		assertThat(reader.send(create).statusCode()).as("no write scope").isEqualTo(403);
		assertThat(output.getAll()).doesNotContain("has no AuthorizationInterceptor");
	}
}
