package org.bulkfhir.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** With bulkfhir.audit.fhir-audit-events, the trail is also written into HAPI as AuditEvents. */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD, "bulkfhir.audit.fhir-audit-events=true",
			"bulkfhir.auth.allow-loopback-jwks-uri=true"})
class FhirAuditEventsTest {

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
	void anExportAndItsDownloadBecomeAuditEventsWithoutPatientReferences() throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		TestApps apps = new TestApps(base);
		BulkClient writer = new BulkClient(base).withToken(apps.readWriteTokens());
		writer.transaction(SampleData.sharedResources());
		for (int i = 0; i < 3; i++) {
			writer.transaction(SampleData.patient(i, 1));
		}
		writer.put(SampleData.group("three", "Three", 0, 3, null));

		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base).withToken(apps.tokens(app, "system/*.read"));
		String status = reader.start("Group/three/$export?_type=Patient");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		JsonNode manifest = BulkClient.JSON.readTree(reader.poll(status, Duration.ofSeconds(30)).body());
		String fileUrl = manifest.get("output").get(0).get("url").asText();
		String fileName = URLDecoder.decode(fileUrl.substring(fileUrl.indexOf("file=") + 5), StandardCharsets.UTF_8);
		reader.download(fileUrl);

		List<JsonNode> events = new ArrayList<>();
		long deadline = System.currentTimeMillis() + 20_000;
		while (System.currentTimeMillis() < deadline) {
			events.clear();
			// no-cache: HAPI answers a repeated search from its result cache for a minute otherwise.
			JsonNode bundle = BulkClient.JSON.readTree(writer.send(writer.request("AuditEvent?_count=200")
					.header("Cache-Control", "no-cache").GET().build()).body());
			if (bundle.has("entry")) {
				bundle.get("entry").forEach(e -> events.add(e.get("resource")));
			}
			if (events.stream().anyMatch(e -> e.toString().contains(fileName))) {
				break;
			}
			Thread.sleep(200);
		}
		JsonNode kickoff = events.stream()
				.filter(e -> e.toString().contains("\"export.kickoff\"") && e.toString().contains(jobId))
				.findFirst().orElseThrow(() -> new AssertionError("no kick-off AuditEvent in " + events));
		assertThat(kickoff.get("type").get("code").asText()).isEqualTo("rest");
		assertThat(kickoff.get("subtype").get(0).get("code").asText()).isEqualTo("operation");
		assertThat(kickoff.get("action").asText()).isEqualTo("E");
		assertThat(kickoff.get("outcome").asText()).isEqualTo("0");
		JsonNode requestor = kickoff.get("agent").get(0);
		assertThat(requestor.get("requestor").asBoolean()).isTrue();
		assertThat(requestor.get("who").get("identifier").get("value").asText()).isEqualTo(app.clientId());
		assertThat(requestor.get("network").get("address").asText()).isNotBlank();
		assertThat(kickoff.toString()).contains("\"Group/three\"").contains("\"patients\"");

		JsonNode download = events.stream()
				.filter(e -> e.toString().contains("\"export.download\"") && e.toString().contains(fileName))
				.findFirst().orElseThrow(() -> new AssertionError("no download AuditEvent in " + events));
		assertThat(download.get("action").asText()).isEqualTo("R");
		assertThat(download.toString()).contains(jobId);

		assertThat(events).allSatisfy(e -> assertThat(e.toString()).doesNotContain("Patient/"));
	}
}
