package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad kick-off gets a FHIR OperationOutcome with the right status and a message that helps. */
class ExportRejectionTest extends ServerTestBase {

	record Case(String pathAndQuery, int status, String messagePart) {}

	@Test
	void badKickOffsAreRejectedWithAnOperationOutcome() throws Exception {
		List<Case> cases = List.of(
				new Case("Group/nope/$export", 404, "Group/nope"),
				new Case("Group/small/$export?_outputFormat=application/fhir%2Bxml", 400, "_outputFormat"),
				new Case("Group/small/$export?_outputFormat=text/csv", 400, "_outputFormat"),
				new Case("Group/small/$export?_type=Nonsense", 400, "Unknown resource type 'Nonsense'"),
				new Case("Group/small/$export?_type=Questionnaire", 400, "cannot be exported at group level"),
				new Case("$export?_type=Binary", 400, "cannot be exported"),
				new Case("Patient/$export?_since=yesterday", 400, "Invalid _since"),
				new Case("Patient/$export?_until=2024-13-45T00:00:00Z", 400, "Invalid _until"),
				new Case("Patient/$export?_since=2024-02-01T00:00:00Z&_until=2024-01-01T00:00:00Z", 400, "_since"),
				new Case("Group/small/$export?_typeFilter=Observation", 400, "Invalid _typeFilter"),
				new Case("Group/small/$export?_type=Patient&_typeFilter=Observation%3Fcode%3D1", 400,
						"not among the exported types"),
				new Case("Group/small/$export?_typeFilter=Observation%3Fnosuchparam%3D1", 400, "Invalid _typeFilter"),
				new Case("Group/small/$export?_typeFilter=Bogus%3Fx%3D1", 400, "Unknown resource type"),
				new Case("Group/small/$export?_elements=Patient.nickname", 400, "Unknown element 'Patient.nickname'"),
				new Case("Group/small/$export?patient=Patient/pt00001", 400, "Parameter 'patient'"),
				new Case("Group/small/$export?_nonsense=1", 400, "Unsupported $export parameter '_nonsense'"));
		for (Case c : cases) {
			HttpResponse<String> response = client.kickOff(c.pathAndQuery());
			assertThat(response.statusCode()).as(c.pathAndQuery() + " -> " + response.body()).isEqualTo(c.status());
			assertOperationOutcome(response, c.messagePart());
		}
	}

	@Test
	void aDeletedGroupIsGone() throws Exception {
		org.hl7.fhir.r4.model.Group group = new org.hl7.fhir.r4.model.Group();
		group.setId("deleted-before-export");
		group.setType(org.hl7.fhir.r4.model.Group.GroupType.PERSON).setActual(true);
		group.addMember().getEntity().setReference("Patient/pt00001");
		client.put(group);
		org.hl7.fhir.r4.model.Bundle delete = new org.hl7.fhir.r4.model.Bundle();
		delete.setType(org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION);
		delete.addEntry().getRequest().setMethod(org.hl7.fhir.r4.model.Bundle.HTTPVerb.DELETE)
				.setUrl("Group/deleted-before-export");
		client.transaction(delete);

		HttpResponse<String> response = client.kickOff("Group/deleted-before-export/$export");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(410);
		assertOperationOutcome(response, "Resource was deleted");
	}

	@Test
	void kickOffWithoutPreferRespondAsyncIsRejected() throws Exception {
		HttpResponse<String> response = client.send(client.request("Group/small/$export").GET().build());
		assertThat(response.statusCode()).isEqualTo(400);
		assertOperationOutcome(response, "Prefer: respond-async");
	}

	@Test
	void postWithABodyThatIsNotParametersIsRejected() throws Exception {
		HttpResponse<String> response = client.send(client.request("Group/small/$export")
				.header("Prefer", "respond-async")
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\"}"))
				.build());
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("OperationOutcome");
	}

	@Test
	void unknownJobsAndFilesAreNotFound() throws Exception {
		for (String path : List.of(
				"$export-status?_jobId=00000000-0000-0000-0000-000000000000",
				"$export-status?_jobId=..%2F..%2Fetc%2Fpasswd",
				"$export-file?_jobId=00000000-0000-0000-0000-000000000000&file=Patient-c0-1-x.ndjson")) {
			HttpResponse<String> response = client.send(client.request(path).GET().build());
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertOperationOutcome(response, "");
		}
		String status = client.start("Group/small/$export?_type=Patient");
		client.poll(status, java.time.Duration.ofSeconds(30));
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		HttpResponse<String> response = client.send(client.request(
						"$export-file?_jobId=" + jobId + "&file=..%2F..%2Fh2%2Fhapi.mv.db")
				.GET()
				.build());
		assertThat(response.statusCode()).isEqualTo(404);
	}

	private static void assertOperationOutcome(HttpResponse<String> response, String messagePart) throws Exception {
		JsonNode body = BulkClient.JSON.readTree(response.body());
		assertThat(body.get("resourceType").asText()).isEqualTo("OperationOutcome");
		assertThat(body.toString()).contains(messagePart);
	}
}
