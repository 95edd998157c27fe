package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk Data STU3 {@code allowPartialManifests}: while the export runs, the status URL answers 202 with a
 * manifest of the files already complete, which can be downloaded at once; manifests are pages of at most
 * {@code manifest-page-size} files linked by {@code link} relation {@code next}; a page once returned never
 * changes. A client that does not ask sees one manifest, as before.
 */
class PartialManifestsTest extends SlowChunksServerTestBase {

	private static final int PATIENTS = 8;
	private static final int OBSERVATIONS_PER_PATIENT = 3;
	private static volatile boolean loaded;

	private synchronized void load() throws Exception {
		if (loaded) {
			return;
		}
		Group group = new Group();
		group.setId("pm-g");
		group.setType(Group.GroupType.PERSON).setActual(true);
		for (int p = 0; p < PATIENTS; p++) {
			Patient patient = new Patient();
			patient.setId("pm-p" + p);
			client.put(patient);
			group.addMember().setEntity(new Reference("Patient/pm-p" + p));
			for (int o = 0; o < OBSERVATIONS_PER_PATIENT; o++) {
				Observation observation = new Observation();
				observation.setId("pm-o" + p + "-" + o);
				observation.setStatus(Observation.ObservationStatus.FINAL);
				observation.setCode(new CodeableConcept().setText("pm"));
				observation.setSubject(new Reference("Patient/pm-p" + p));
				client.put(observation);
			}
		}
		client.put(group);
		loaded = true;
	}

	@Test
	void aRunningExportListsItsCompleteFilesAndPagesLinkToTheRest() throws Exception {
		load();
		String status = client.start("Group/pm-g/$export?_type=Patient,Observation&allowPartialManifests=true");

		HttpResponse<String> partial = firstPartialManifest(status);
		JsonNode partialManifest = BulkClient.JSON.readTree(partial.body());
		assertThat(partial.headers().firstValue("X-Progress")).isPresent();
		assertThat(partial.headers().firstValue("Retry-After")).isPresent();
		assertThat(partial.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		assertThat(partialManifest.get("output").size()).isBetween(1, 5);
		// Listed while running: downloadable at once, with the same token checks.
		String firstUrl = partialManifest.get("output").get(0).get("url").asText();
		assertThat(client.download(firstUrl)).isNotEmpty();
		HttpResponse<String> anonymous =
				new BulkClient(base()).send(HttpRequest.newBuilder(java.net.URI.create(firstUrl)).GET().build());
		assertThat(anonymous.statusCode()).isEqualTo(401);

		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(90));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		List<JsonNode> pages = allPages(BulkClient.JSON.readTree(done.body()));

		// The page returned while running is unchanged, apart from the link to the next page.
		JsonNode firstPage = pages.get(0).deepCopy();
		((com.fasterxml.jackson.databind.node.ObjectNode) firstPage).remove("link");
		JsonNode partialWithoutLink = partialManifest.deepCopy();
		((com.fasterxml.jackson.databind.node.ObjectNode) partialWithoutLink).remove("link");
		assertThat(firstPage).isEqualTo(partialWithoutLink);

		Map<String, Integer> counts = new TreeMap<>();
		for (int i = 0; i < pages.size(); i++) {
			JsonNode page = pages.get(i);
			int files = page.get("output").size() + page.get("error").size();
			assertThat(files).isBetween(1, 5);
			assertThat(page.has("link")).isEqualTo(i < pages.size() - 1);
			BulkClient.counts(client.downloadAll(page)).forEach((type, n) -> counts.merge(type, n, Integer::sum));
		}
		assertThat(pages.size()).isGreaterThan(1);
		assertThat(counts).containsExactlyInAnyOrderEntriesOf(
				Map.of("Patient", PATIENTS, "Observation", PATIENTS * OBSERVATIONS_PER_PATIENT));
	}

	@Test
	void filesOrganizedByPatientAppearAsChunksFinish() throws Exception {
		load();
		String status = client.start(
				"Group/pm-g/$export?_type=Patient,Observation&allowPartialManifests=true&organizeOutputBy=Patient");

		JsonNode partial = BulkClient.JSON.readTree(firstPartialManifest(status).body());
		assertThat(partial.get("outputOrganizedBy").asText()).isEqualTo("Patient");
		String first = client.download(partial.get("output").get(0).get("url").asText()).get(0);
		assertThat(first).contains("\"name\":\"header\"", "Patient/pm-p");

		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(90));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		Map<String, Integer> counts = new TreeMap<>();
		int continued = 0;
		for (JsonNode page : allPages(BulkClient.JSON.readTree(done.body()))) {
			assertThat(page.get("outputOrganizedBy").asText()).isEqualTo("Patient");
			for (JsonNode output : page.get("output")) {
				assertThat(output.has("type")).isFalse();
				continued += output.has("continuesInFile") ? 1 : 0;
				List<String> lines = client.download(output.get("url").asText());
				// Two lines per file here: every file is a header and one resource.
				assertThat(lines).hasSize(2);
				assertThat(lines.get(0)).contains("\"name\":\"header\"");
				String type = BulkClient.JSON.readTree(lines.get(1)).get("resourceType").asText();
				counts.merge(type, 1, Integer::sum);
			}
		}
		assertThat(counts).containsExactlyInAnyOrderEntriesOf(
				Map.of("Patient", PATIENTS, "Observation", PATIENTS * OBSERVATIONS_PER_PATIENT));
		assertThat(continued).isEqualTo(PATIENTS * OBSERVATIONS_PER_PATIENT);
	}

	@Test
	void withoutTheParameterTheManifestIsOneAndOnlyWhenComplete() throws Exception {
		load();
		String status = client.start("Group/pm-g/$export?_type=Patient,Observation");
		HttpResponse<String> running = client.send(client.request(status).GET().build());
		assertThat(running.statusCode()).isEqualTo(202);
		assertThat(running.body()).isEmpty();
		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(90));
		JsonNode manifest = BulkClient.JSON.readTree(done.body());
		assertThat(manifest.has("link")).isFalse();
		assertThat(manifest.get("output").size()).isGreaterThan(5);
		assertThat(client.send(client.request(status + "&page=2").GET().build()).statusCode()).isEqualTo(400);
	}

	@Test
	void badValuesAreRefusedNamingTheParameter() throws Exception {
		HttpResponse<String> maybe = client.kickOff("Group/pm-g/$export?allowPartialManifests=maybe");
		assertThat(maybe.statusCode()).isEqualTo(400);
		assertThat(maybe.body()).contains("OperationOutcome").contains("allowPartialManifests");

		load();
		String status = client.start("Group/pm-g/$export?_type=Patient&allowPartialManifests=true");
		HttpResponse<String> badPage = client.send(client.request(status + "&page=zero").GET().build());
		assertThat(badPage.statusCode()).isEqualTo(400);
		assertThat(badPage.body()).contains("OperationOutcome").contains("page");
		client.poll(status, Duration.ofSeconds(90));
	}

	@Test
	void theCapabilityStatementNamesTheParameters() throws Exception {
		JsonNode capabilities = BulkClient.JSON.readTree(client.read("metadata"));
		List<String> documentation = new ArrayList<>();
		capabilities.get("rest").get(0).get("operation").forEach(o -> documentation.add(o.path("documentation").asText()));
		capabilities.get("rest").get(0).get("resource").forEach(r -> r.path("operation")
				.forEach(o -> documentation.add(o.path("documentation").asText())));
		assertThat(documentation).filteredOn(d -> d.contains("allowPartialManifests") && d.contains("_since"))
				.hasSize(3);
	}

	/** Polls until a 202 carries a manifest body. */
	private HttpResponse<String> firstPartialManifest(String status) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = client.send(client.request(status).GET().build());
			assertThat(response.statusCode()).as("still running when polled").isEqualTo(202);
			if (!response.body().isEmpty()) {
				return response;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("no partial manifest within 60 s");
	}

	private List<JsonNode> allPages(JsonNode first) throws Exception {
		List<JsonNode> pages = new ArrayList<>();
		JsonNode page = first;
		while (true) {
			pages.add(page);
			if (!page.has("link")) {
				return pages;
			}
			JsonNode link = page.get("link").get(0);
			assertThat(link.get("relation").asText()).isEqualTo("next");
			HttpResponse<String> next = client.send(client.request(link.get("url").asText()).GET().build());
			assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
			page = BulkClient.JSON.readTree(next.body());
		}
	}
}
