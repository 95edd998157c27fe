package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Incremental exports (IG v2, {@code _since}): the manifest's {@code deleted} files list the resources of
 * the export's scope deleted after {@code _since} and at or before the transaction time, as transaction
 * Bundles of {@code DELETE Type/id} entries; a Group's members who joined after {@code _since} are exported
 * with their whole record.
 */
class IncrementalExportTest extends SlowChunksServerTestBase {

	@Test
	void groupExportSinceListsDeletionsInItsScopeAndExportsNewMembersWhole() throws Exception {
		patient("inc-p1");
		patient("inc-p2");
		patient("inc-outsider");
		observation("inc-p1-unchanged", "inc-p1");
		observation("inc-p1-deleted", "inc-p1");
		observation("inc-p1-deleted-early", "inc-p1");
		observation("inc-p1-deleted-after-t", "inc-p1");
		observation("inc-p2-old", "inc-p2");
		observation("inc-outsider-deleted", "inc-outsider");
		group("inc-g", "inc-p1");
		delete("Observation/inc-p1-deleted-early");

		String since = sinceNow();

		delete("Observation/inc-p1-deleted");
		delete("Observation/inc-outsider-deleted");
		observation("inc-p1-deleted-after-t", "inc-p1"); // updated since: exported, as it was at T
		group("inc-g", "inc-p1", "inc-p2"); // inc-p2 joins after _since

		String status = client.start("Group/inc-g/$export?_type=Patient,Observation&_since=" + encode(since));
		delete("Observation/inc-p1-deleted-after-t"); // after the transaction time, while the export runs
		JsonNode manifest = completed(status);

		assertThat(deletedUrls(manifest)).containsExactly("Observation/inc-p1-deleted");
		for (JsonNode file : manifest.get("deleted")) {
			assertThat(file.get("type").asText()).isEqualTo("Bundle");
			assertThat(file.get("count").asLong()).isPositive();
		}
		String jobId = status.substring(status.indexOf("_jobId=") + "_jobId=".length());
		JsonNode detail = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + jobId, null, 200));
		assertThat(detail.get("deletedFiles")).hasSameSizeAs(manifest.get("deleted"));
		assertThat(detail.get("deletedFiles").get(0).get("name").asText()).startsWith("deleted-");

		Map<String, List<IBaseResource>> exported = client.downloadAll(withoutDeleted(manifest));
		// inc-p2 joined after _since: its whole record; inc-p1: only what changed since.
		assertThat(BulkClient.ids(exported.get("Patient"))).containsExactly("inc-p2");
		assertThat(BulkClient.ids(exported.get("Observation")))
				.containsExactlyInAnyOrder("inc-p1-deleted-after-t", "inc-p2-old");
	}

	@Test
	void systemExportSinceListsEveryDeletionOfTheRequestedTypes() throws Exception {
		patient("inc-sys-p");
		observation("inc-sys-kept", "inc-sys-p");
		observation("inc-sys-deleted", "inc-sys-p");
		patient("inc-sys-deleted-patient");
		String since = sinceNow();
		delete("Observation/inc-sys-deleted");
		delete("Patient/inc-sys-deleted-patient");

		JsonNode observations = completed(client.start("$export?_type=Observation&_since=" + encode(since)));
		assertThat(deletedUrls(observations)).containsExactly("Observation/inc-sys-deleted");

		JsonNode patients = completed(client.start("$export?_type=Patient&_since=" + encode(since)));
		assertThat(deletedUrls(patients)).containsExactly("Patient/inc-sys-deleted-patient");
	}

	@Test
	void withATypeFilterOnlyDeletionsThatMatchedItAreListed() throws Exception {
		patient("inc-tf-p");
		observation("inc-tf-final", "inc-tf-p");
		observation("inc-tf-amended", "inc-tf-p", Observation.ObservationStatus.AMENDED);
		group("inc-tf", "inc-tf-p");
		String since = sinceNow();
		delete("Observation/inc-tf-final");
		delete("Observation/inc-tf-amended");

		String filter = "&_typeFilter=" + encode("Observation?status=final");
		JsonNode system = completed(client.start("$export?_type=Observation&_since=" + encode(since) + filter));
		assertThat(deletedUrls(system)).contains("Observation/inc-tf-final").doesNotContain("Observation/inc-tf-amended");
		JsonNode group = completed(client.start("Group/inc-tf/$export?_type=Observation&_since=" + encode(since) + filter));
		assertThat(deletedUrls(group)).containsExactly("Observation/inc-tf-final");
		// Without the filter, both.
		JsonNode unfiltered = completed(client.start("Group/inc-tf/$export?_type=Observation&_since=" + encode(since)));
		assertThat(deletedUrls(unfiltered)).containsExactlyInAnyOrder("Observation/inc-tf-final", "Observation/inc-tf-amended");
	}

	@Test
	void withoutSinceTheManifestHasNoDeletedFiles() throws Exception {
		patient("inc-full-p");
		group("inc-full", "inc-full-p");
		JsonNode manifest = completed(client.start("Group/inc-full/$export?_type=Patient"));
		assertThat(manifest.has("deleted")).isFalse();
	}

	@Test
	void sinceWithNothingDeletedGivesAnEmptyDeletedArray() throws Exception {
		patient("inc-none-p");
		group("inc-none", "inc-none-p");
		String since = sinceNow();
		JsonNode manifest = completed(client.start("Group/inc-none/$export?_type=Patient&_since=" + encode(since)));
		assertThat(manifest.get("deleted")).isEmpty();
	}

	private JsonNode completed(String status) throws Exception {
		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(90));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		return BulkClient.JSON.readTree(done.body());
	}

	/** The request URLs of the DELETE entries of every deleted file, checking each line's form. */
	private List<String> deletedUrls(JsonNode manifest) throws Exception {
		List<String> urls = new ArrayList<>();
		for (JsonNode file : manifest.get("deleted")) {
			for (String line : client.download(file.get("url").asText())) {
				JsonNode bundle = BulkClient.JSON.readTree(line);
				assertThat(bundle.get("resourceType").asText()).isEqualTo("Bundle");
				assertThat(bundle.get("type").asText()).isEqualTo("transaction");
				for (JsonNode entry : bundle.get("entry")) {
					assertThat(entry.get("request").get("method").asText()).isEqualTo("DELETE");
					urls.add(entry.get("request").get("url").asText());
				}
			}
		}
		return urls;
	}

	private static JsonNode withoutDeleted(JsonNode manifest) {
		com.fasterxml.jackson.databind.node.ObjectNode copy = manifest.deepCopy();
		copy.remove("deleted");
		return copy;
	}

	private static String sinceNow() throws InterruptedException {
		Thread.sleep(30);
		String since = new InstantType(new Date()).getValueAsString();
		Thread.sleep(30);
		return since;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private void patient(String id) throws Exception {
		Patient patient = new Patient();
		patient.setId(id);
		patient.addName().setFamily(id);
		client.put(patient);
	}

	private void observation(String id, String patientId) throws Exception {
		observation(id, patientId, Observation.ObservationStatus.FINAL);
	}

	private void observation(String id, String patientId, Observation.ObservationStatus status) throws Exception {
		Observation observation = new Observation();
		observation.setId(id);
		observation.setStatus(status);
		observation.setCode(new CodeableConcept().setText(id + " " + System.nanoTime()));
		observation.setSubject(new Reference("Patient/" + patientId));
		client.put(observation);
	}

	private void group(String id, String... patientIds) throws Exception {
		Group group = new Group();
		group.setId(id);
		group.setType(Group.GroupType.PERSON).setActual(true);
		for (String patientId : patientIds) {
			group.addMember().setEntity(new Reference("Patient/" + patientId));
		}
		client.put(group);
	}

	private void delete(String reference) throws Exception {
		HttpResponse<String> response = client.send(client.request(reference).DELETE().build());
		assertThat(response.statusCode()).as(response.body()).isIn(200, 204);
	}
}
