package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.bulkfhir.support.TestPort;
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
 * An export moves through its steps on the pacer's wakes alone: with the pacer's periodic pass an
 * hour apart (and HAPI's own maintenance once a minute), an export of five patients in five work
 * chunks still completes within seconds. The kick-off wakes the pacer for the plan step, the plan's
 * chunk for the write step, and only the last of the write chunks to finish for the manifest step:
 * one that finishes while others run wakes nobody, so a lost wake would leave the export waiting.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.export.pacer-interval=PT1H",
			"bulkfhir.export.patients-per-chunk=1",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
class PacerWakeTest {

	private static final int PATIENTS = 5;
	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void directories(DynamicPropertyRegistry registry) {
		TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
	}

	@Test
	void everyStepStartsOnAWakeWithoutThePeriodicPass() throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		BulkClient client = new BulkClient(base).withToken(new TestApps(base).readWriteTokens());
		client.transaction(SampleData.sharedResources());
		for (int i = 0; i < PATIENTS; i++) {
			client.transaction(SampleData.patient(i, 1));
		}

		for (int round = 0; round < 3; round++) {
			String status = client.start("Patient/$export?_type=Patient,Encounter");
			HttpResponse<String> done = client.poll(status, Duration.ofSeconds(20));
			assertThat(done.statusCode()).as("export %d completed on wakes alone", round).isEqualTo(200);
			JsonNode manifest = BulkClient.JSON.readTree(done.body());
			long patients = 0;
			for (JsonNode file : manifest.get("output")) {
				if (file.get("type").asText().equals("Patient")) {
					patients += client.download(file.get("url").asText()).size();
				}
			}
			assertThat(patients).isEqualTo(PATIENTS);
			assertThat(client.send(client.request(status).DELETE().build()).statusCode()).isEqualTo(202);
		}
	}
}
