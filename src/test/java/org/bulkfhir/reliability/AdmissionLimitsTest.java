package org.bulkfhir.reliability;

import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client cannot run too many exports at once (429), and a full store refuses new ones (503), as
 * does a store whose directory is gone.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {"bulkfhir.admin.password=" + org.bulkfhir.support.TestApps.ADMIN_PASSWORD, "bulkfhir.export.max-running-per-client=1", "bulkfhir.storage.max-total-bytes=1"})
class AdmissionLimitsTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestDatabase.register(registry, DATA_DIR);
		org.bulkfhir.support.TestPort.register(registry);
	}

	@Test
	void runningLimitGives429AndFullStorageGives503() throws Exception {
		org.bulkfhir.support.TestApps apps = new org.bulkfhir.support.TestApps("http://localhost:" + port + "/fhir");
		BulkClient client = new BulkClient("http://localhost:" + port + "/fhir")
				.withToken(apps.readWriteTokens());
		client.transaction(SampleData.sharedResources());
		for (int i = 0; i < 3; i++) {
			client.transaction(SampleData.patient(i, 2));
		}

		String first = client.start("$export");
		HttpResponse<String> second = client.kickOff("$export");
		assertThat(second.statusCode()).isEqualTo(429);
		assertThat(second.headers().firstValue("Retry-After")).isPresent();
		assertThat(second.body()).contains("OperationOutcome").contains("exports running");

		assertThat(client.poll(first, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
		HttpResponse<String> full = client.kickOff("$export");
		assertThat(full.statusCode()).isEqualTo(503);
		assertThat(full.headers().firstValue("Retry-After")).isPresent();
		assertThat(full.body()).contains("OperationOutcome").contains("storage is full");

		assertThat(client.send(client.request(first).DELETE().build()).statusCode()).isEqualTo(202);
		String last = client.start("$export");
		assertThat(client.poll(last, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);

		// The export directory removed under the running server: refused as unavailable, not a 500.
		org.springframework.util.FileSystemUtils.deleteRecursively(DATA_DIR.resolve("exports"));
		HttpResponse<String> gone = client.kickOff("$export");
		assertThat(gone.statusCode()).as(gone.body()).isEqualTo(503);
		assertThat(gone.headers().firstValue("Retry-After")).isPresent();
		assertThat(gone.body()).contains("OperationOutcome").contains("Export storage is unavailable")
				.doesNotContain(DATA_DIR.toString());
	}
}
