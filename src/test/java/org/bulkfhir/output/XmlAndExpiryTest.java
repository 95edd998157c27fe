package org.bulkfhir.output;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * XML on Accept and file expiry, on a server of its own: files expire a few seconds after the
 * export completes and the purge runs twice a second, and one file holds thousands of resources.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {"bulkfhir.admin.password=" + org.bulkfhir.support.TestApps.ADMIN_PASSWORD, "bulkfhir.export.expiry=PT6S", "bulkfhir.export.purge-interval=PT0.5S"})
class XmlAndExpiryTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	private static final int PATIENTS = 40;
	private static final int ENCOUNTERS = 6;
	private static volatile boolean loaded;
	private static java.util.function.Supplier<String> tokens;

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	BulkClient client;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestDatabase.register(registry, DATA_DIR);
		org.bulkfhir.support.TestPort.register(registry);
	}

	@BeforeEach
	void load() throws Exception {
		org.bulkfhir.support.TestApps apps = new org.bulkfhir.support.TestApps("http://localhost:" + port + "/fhir");
		synchronized (XmlAndExpiryTest.class) {
			if (tokens == null) {
				tokens = apps.readWriteTokens();
			}
			client = new BulkClient("http://localhost:" + port + "/fhir").withToken(tokens);
			if (!loaded) {
				client.transaction(SampleData.sharedResources());
				for (int i = 0; i < PATIENTS; i++) {
					client.transaction(SampleData.patient(i, ENCOUNTERS));
				}
				client.put(SampleData.group("all", "All", 0, PATIENTS, null));
				loaded = true;
			}
		}
	}

	@Test
	void xmlDownloadHasExactlyTheResourcesOfTheNdjsonFile() throws Exception {
		JsonNode manifest = client.export("Group/all/$export?_type=Provenance");
		JsonNode largest = null;
		for (JsonNode output : manifest.get("output")) {
			if (largest == null || output.get("count").asInt() > largest.get("count").asInt()) {
				largest = output;
			}
		}
		assertThat(largest.get("count").asInt()).isGreaterThan(2000);
		String url = largest.get("url").asText();

		List<String> lines = client.download(url);
		HttpResponse<String> xml = client.send(client.request(url).header("Accept", "application/fhir+xml").GET().build());
		assertThat(xml.statusCode()).isEqualTo(200);
		assertThat(xml.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("application/fhir+xml;charset=UTF-8");
		Bundle bundle = BulkClient.FHIR.newXmlParser().parseResource(Bundle.class, xml.body());
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
		assertThat(bundle.getEntry()).hasSize(lines.size());
		IParser json = BulkClient.FHIR.newJsonParser();
		for (int i = 0; i < lines.size(); i++) {
			IBaseResource fromNdjson = json.parseResource(lines.get(i));
			IBaseResource fromXml = bundle.getEntry().get(i).getResource();
			assertThat(json.encodeResourceToString(fromXml)).isEqualTo(json.encodeResourceToString(fromNdjson));
		}
	}

	@Test
	void acceptHeadersAreNegotiated() throws Exception {
		JsonNode manifest = client.export("Group/all/$export?_type=Patient");
		String url = manifest.get("output").get(0).get("url").asText();
		for (String accept : List.of("application/xml", "application/fhir+ndjson;q=0.5, application/fhir+xml;q=0.9")) {
			HttpResponse<String> response = client.send(client.request(url).header("Accept", accept).GET().build());
			assertThat(response.headers().firstValue("Content-Type").orElseThrow()).as(accept).startsWith("application/fhir+xml");
		}
		for (String accept : List.of("*/*", "application/fhir+ndjson", "application/fhir+xml;q=0.1, application/ndjson")) {
			HttpResponse<String> response = client.send(client.request(url).header("Accept", accept).GET().build());
			assertThat(response.headers().firstValue("Content-Type").orElseThrow()).as(accept).startsWith("application/fhir+ndjson");
		}
		HttpResponse<String> refused = client.send(client.request(url).header("Accept", "text/csv").GET().build());
		assertThat(refused.statusCode()).isEqualTo(406);
		assertThat(refused.body()).contains("OperationOutcome");

		HttpResponse<byte[]> gzipped = client.sendBytes(client.request(url)
				.header("Accept", "application/fhir+xml").header("Accept-Encoding", "gzip").GET().build());
		String xml = new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes(),
				StandardCharsets.UTF_8);
		assertThat(BulkClient.FHIR.newXmlParser().parseResource(Bundle.class, xml).getEntry()).hasSize(PATIENTS);
	}

	@Test
	void errorFilesConvertToXmlToo() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Long pid = jdbc.queryForObject(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID = ?", Long.class, "pt00001");
		String original = jdbc.queryForObject(
				"SELECT v.RES_TEXT_VC FROM HFJ_RES_VER v JOIN HFJ_RESOURCE r ON r.RES_ID = v.RES_ID"
						+ " AND r.RES_VER = v.RES_VER WHERE r.RES_ID = ?", String.class, pid);
		try {
			// A stored body HAPI cannot parse: the export must go on and report it in error[].
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?",
					"{\"resourceType\":\"Patient\",\"meta\":{\"broken\":", pid);
			JsonNode manifest = client.export("Group/all/$export?_type=Patient");
			long exported = 0;
			for (JsonNode output : manifest.get("output")) {
				exported += output.get("count").asLong();
			}
			assertThat(exported).isEqualTo(PATIENTS - 1);
			assertThat(manifest.get("error")).hasSize(1);
			JsonNode error = manifest.get("error").get(0);
			assertThat(error.get("type").asText()).isEqualTo("OperationOutcome");
			List<String> outcomes = client.download(error.get("url").asText());
			assertThat(outcomes).hasSize(1);
			assertThat(outcomes.get(0)).contains("OperationOutcome").contains("Patient");

			HttpResponse<String> xml = client.send(client.request(error.get("url").asText())
					.header("Accept", "application/fhir+xml").GET().build());
			Bundle bundle = BulkClient.FHIR.newXmlParser().parseResource(Bundle.class, xml.body());
			assertThat(bundle.getEntryFirstRep().getResource().fhirType()).isEqualTo("OperationOutcome");
		} finally {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?", original, pid);
		}
	}

	@Test
	void filesExpireThenAreGoneFromDiskAndDatabase() throws Exception {
		String status = client.start("Group/all/$export?_type=Patient,Encounter");
		HttpResponse<String> done = client.poll(status, java.time.Duration.ofSeconds(30));
		assertThat(done.statusCode()).isEqualTo(200);
		assertThat(done.headers().firstValue("Expires")).isPresent();
		JsonNode manifest = BulkClient.JSON.readTree(done.body());
		assertThat(manifest.get("extension").get("expires").asText()).isNotBlank();
		String url = manifest.get("output").get(0).get("url").asText();
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		Path jobDir = DATA_DIR.resolve("exports").resolve(jobId);

		for (int i = 0; i < 3; i++) {
			HttpResponse<String> file = client.send(client.request(url).GET().build());
			assertThat(file.statusCode()).isEqualTo(200);
			assertThat(file.headers().firstValue("Expires")).isPresent();
		}
		long deadline = System.currentTimeMillis() + 20_000;
		HttpResponse<String> gone;
		do {
			Thread.sleep(250);
			gone = client.send(client.request(url).GET().build());
		} while (gone.statusCode() == 200 && System.currentTimeMillis() < deadline);
		assertThat(gone.statusCode()).isIn(404, 410);
		assertThat(gone.body()).contains("OperationOutcome");
		assertThat(client.send(client.request(status).GET().build()).statusCode()).isEqualTo(404);

		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		while ((Files.exists(jobDir) || count(jdbc, jobId) > 0) && System.currentTimeMillis() < deadline) {
			Thread.sleep(250);
		}
		assertThat(Files.exists(jobDir)).isFalse();
		assertThat(count(jdbc, jobId)).isZero();
	}

	@Test
	void orphanedFilesArePurged() throws Exception {
		Path orphan = DATA_DIR.resolve("exports").resolve("orphan-" + UUID.randomUUID());
		Files.createDirectories(orphan);
		// as the store leaves it: with its marker (unmarked directories are not the plugin's, see PurgeSafetyTest)
		Files.writeString(orphan.resolve(org.bulkfhir.storage.FilesystemExportFileStore.MARKER), "");
		Files.writeString(orphan.resolve("Patient-c0-1-abc.ndjson"), "{}\n");
		long deadline = System.currentTimeMillis() + 10_000;
		while (Files.exists(orphan) && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
		}
		assertThat(Files.exists(orphan)).isFalse();
	}

	private static int count(JdbcTemplate jdbc, String jobId) {
		Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BT2_JOB_INSTANCE WHERE ID = ?", Integer.class, jobId);
		return count == null ? 0 : count;
	}

}
