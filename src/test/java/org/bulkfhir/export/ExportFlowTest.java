package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Kick-off to download at all three levels, over HTTP, against exactly what was loaded. */
class ExportFlowTest extends ServerTestBase {

	@Test
	void groupExportContainsExactlyTheActiveMembersDataAndWhatItReferences() throws Exception {
		JsonNode manifest = client.export("Group/small/$export");

		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		Map<String, Set<String>> expected = ExpectedData.forPatients(ExpectedData.range(0, 10));
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
		exported.forEach((type, resources) ->
				assertThat(BulkClient.ids(resources)).containsExactlyElementsOf(expected.get(type)));
		assertThat(exported).doesNotContainKeys("Provenance", "Group");
		assertThat(manifest.get("request").asText()).isEqualTo(base() + "/Group/small/$export");
		assertThat(manifest.get("transactionTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
		assertThat(manifest.get("requiresAccessToken").isBoolean()).isTrue();
		assertThat(manifest.get("error")).isEmpty();
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.get("url").asText()).startsWith(base() + "/");
		}
	}

	@Test
	void patientExportCoversEveryPatient() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export("Patient/$export"));

		Map<String, Set<String>> expected = ExpectedData.forPatients(ExpectedData.range(0, PATIENTS));
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
	}

	@Test
	void systemExportCoversEveryResourceOfEveryType() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export("$export"));

		Map<String, Set<String>> expected = ExpectedData.everything();
		expected.remove("Provenance"); // only with Provenance in _type
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
		exported.forEach((type, resources) ->
				assertThat(BulkClient.ids(resources)).containsExactlyElementsOf(expected.get(type)));
	}

	@Test
	void postWithParametersBodyStartsTheSameExport() throws Exception {
		String body = "{\"resourceType\":\"Parameters\",\"parameter\":["
				+ "{\"name\":\"_type\",\"valueString\":\"Patient,Encounter\"},"
				+ "{\"name\":\"_outputFormat\",\"valueString\":\"application/fhir+ndjson\"}]}";
		HttpResponse<String> response = client.send(client.request("Group/small/$export")
				.header("Prefer", "respond-async")
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

		String status = response.headers().firstValue("Content-Location").orElseThrow();
		HttpResponse<String> done = client.poll(status, java.time.Duration.ofSeconds(30));
		JsonNode manifest = BulkClient.JSON.readTree(done.body());
		Map<String, Integer> counts = BulkClient.counts(client.downloadAll(manifest));
		assertThat(counts).containsOnlyKeys("Patient", "Encounter");
		assertThat(counts.get("Patient")).isEqualTo(10);
		assertThat(counts.get("Encounter")).isEqualTo(10 * ENCOUNTERS);
	}

	@Test
	void everyKickOffIsANewJob() throws Exception {
		String first = client.start("Group/small/$export?_type=Patient");
		String second = client.start("Group/small/$export?_type=Patient");
		assertThat(first).isNotEqualTo(second);
	}

	@Test
	void filesRollOverAtTheConfiguredResourceCount() throws Exception {
		JsonNode manifest = client.export("Group/all/$export?_type=Observation");
		// 30 patients x 2 encounters x 3 observations = 180, at most 25 per file
		long files = 0;
		long total = 0;
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.get("count").asInt()).isBetween(1, 25);
			files++;
			total += output.get("count").asLong();
		}
		assertThat(total).isEqualTo(PATIENTS * ENCOUNTERS * 3L);
		assertThat(files).isGreaterThanOrEqualTo(8);
	}

	@Test
	void exportedJsonEqualsWhatAFhirReadReturns() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export("Group/small/$export"));
		for (List<IBaseResource> resources : exported.values()) {
			IBaseResource first = resources.get(0);
			String id = first.fhirType() + "/" + first.getIdElement().getIdPart();
			String read = client.read(id);
			String line = BulkClient.FHIR.newJsonParser().encodeResourceToString(first);
			assertThat(BulkClient.JSON.readTree(line)).as(id).isEqualTo(BulkClient.JSON.readTree(read));
		}
	}

	@Test
	void typeFilterNarrowsResourcesAndGroupMembers() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export(
				"Group/small/$export?_type=Patient,Observation"
						+ "&_typeFilter=Observation%3Fcode%3Dhttp://loinc.org%7C8867-4"
						+ "&_typeFilter=Patient%3Fgender%3Dfemale"));

		// Female members are the even indexes 0..8; heart-rate (8867-4) is observation o=0 of encounter e=0
		// and o=... of encounters where (e+o)%5==0, so with 2 encounters: encounter 0, observation 0 only.
		Set<String> patients = new TreeSet<>(BulkClient.ids(exported.get("Patient")));
		assertThat(patients).containsExactly("pt00000", "pt00002", "pt00004", "pt00006", "pt00008");
		assertThat(BulkClient.ids(exported.get("Observation")))
				.containsExactly("obs-pt00000-0-0", "obs-pt00002-0-0", "obs-pt00004-0-0", "obs-pt00006-0-0",
						"obs-pt00008-0-0");
	}

	@Test
	void sinceLimitsTheExportToRecentlyUpdatedResources() throws Exception {
		Thread.sleep(20);
		String since = instantNow();
		Thread.sleep(20);
		update("Patient/pt00003", (org.hl7.fhir.r4.model.Patient patient) -> patient.addName().setFamily("Renamed"));

		Map<String, List<IBaseResource>> exported = client.downloadAll(
				client.export("Group/small/$export?_since=" + java.net.URLEncoder.encode(since, "UTF-8")));
		assertThat(BulkClient.counts(exported)).containsExactly(Map.entry("Patient", 1));
		assertThat(exported.get("Patient").get(0).getIdElement().getIdPart()).isEqualTo("pt00003");
	}

	@Test
	void untilLeavesOutResourcesUpdatedAfterIt() throws Exception {
		String until = instantNow();
		Thread.sleep(20);
		update("AllergyIntolerance/allergy-pt00004",
				(org.hl7.fhir.r4.model.AllergyIntolerance allergy) -> allergy.addNote().setText("Updated after _until"));

		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export(
				"Group/small/$export?_type=AllergyIntolerance&_until=" + java.net.URLEncoder.encode(until, "UTF-8")));
		assertThat(BulkClient.ids(exported.get("AllergyIntolerance")))
				.contains("allergy-pt00000", "allergy-pt00003")
				.doesNotContain("allergy-pt00004");
	}

	private static String instantNow() {
		return new org.hl7.fhir.r4.model.InstantType(new java.util.Date()).getValueAsString();
	}

	/** Reads the resource, changes it and stores it again: a new version, updated now. */
	@SuppressWarnings("unchecked")
	private <T extends org.hl7.fhir.r4.model.Resource> void update(String reference, java.util.function.Consumer<T> change)
			throws Exception {
		T resource = (T) BulkClient.FHIR.newJsonParser().parseResource(client.read(reference));
		change.accept(resource);
		client.put(resource);
	}

	@Test
	void downloadsCanBeRepeatedAndGzipped() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Patient");
		String url = manifest.get("output").get(0).get("url").asText();
		List<String> plain = client.download(url);
		assertThat(client.download(url)).isEqualTo(plain);
		assertThat(client.downloadGzip(url)).isEqualTo(plain);
	}
}
