package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kick-off parameter {@code patient} (Bulk Data IG v2, "Query Parameters"): POST only, Group and
 * Patient level; only the named patients' data, their Provenance when asked for; a patient outside the
 * Group, or unknown, or a malformed reference, is refused with an OperationOutcome that names it.
 */
class PatientParameterTest extends ServerTestBase {

	private static final String ALL_GROUP_TYPES = "AllergyIntolerance,Condition,DiagnosticReport,Encounter,"
			+ "Immunization,Location,Medication,MedicationRequest,Observation,Organization,Patient,Practitioner,"
			+ "PractitionerRole,Procedure";

	@Test
	void groupExportOfNamedMembersHasOnlyTheirDataAndTheirProvenance() throws Exception {
		JsonNode manifest = client.exportPost("Group/small/$export",
				parameters(string("_type", ALL_GROUP_TYPES + ",Provenance"), patient("Patient/pt00001"),
						patient("Patient/pt00003")));

		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		Map<String, Set<String>> expected = ExpectedData.forPatients(List.of(1, 3));
		assertThat(BulkClient.ids(exported.remove("Provenance")))
				.containsExactlyElementsOf(ExpectedData.provenanceTargeting(ExpectedData.refs(expected)));
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
		exported.forEach((type, resources) ->
				assertThat(BulkClient.ids(resources)).as(type).containsExactlyElementsOf(expected.get(type)));
		assertThat(BulkClient.ids(exported.get("Patient"))).containsExactly("pt00001", "pt00003");
	}

	@Test
	void patientExportOfNamedPatientsHasOnlyTheirData() throws Exception {
		JsonNode manifest = client.exportPost("Patient/$export",
				parameters(patient("Patient/pt00012"), patient("Patient/pt00025"), patient("Patient/pt00012")));

		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		Map<String, Set<String>> expected = ExpectedData.forPatients(List.of(12, 25));
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
		exported.forEach((type, resources) ->
				assertThat(BulkClient.ids(resources)).as(type).containsExactlyElementsOf(expected.get(type)));
	}

	@Test
	void theIgGroupMembershipRequestPatternWorks() throws Exception {
		// Bulk Data IG v2.0.0, export, "Group Membership Request Pattern": ids only, then the new members' data.
		Map<String, List<IBaseResource>> ids =
				client.downloadAll(client.export("Group/small/$export?_type=Patient&_elements=id"));
		assertThat(BulkClient.ids(ids.get("Patient")))
				.containsExactlyElementsOf(ExpectedData.forPatients(ExpectedData.range(0, 10)).get("Patient"));
		for (IBaseResource patient : ids.get("Patient")) {
			assertThat(((org.hl7.fhir.r4.model.Patient) patient).hasName()).isFalse();
			assertThat(patient.getMeta().getTag("http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
					"SUBSETTED")).isNotNull();
		}

		Map<String, List<IBaseResource>> added = client.downloadAll(client.exportPost("Group/small/$export",
				parameters(patient("Patient/pt00007"), patient("Patient/pt00008"))));
		assertThat(BulkClient.counts(added)).isEqualTo(ExpectedData.counts(ExpectedData.forPatients(List.of(7, 8))));
	}

	@Test
	void aPatientOutsideTheGroupIsRefusedByName() throws Exception {
		// pt00015 is not in Group small; pt00010 is, but inactive.
		HttpResponse<String> response = client.kickOffPost("Group/small/$export",
				parameters(patient("Patient/pt00001"), patient("Patient/pt00015"), patient("Patient/pt00010")));

		assertRefused(response, "Parameter 'patient'", "Patient/pt00015", "Patient/pt00010", "Group/small");
		assertThat(response.body()).doesNotContain("pt00001");
	}

	@Test
	void anUnknownPatientIsRefusedByNameAtPatientLevel() throws Exception {
		HttpResponse<String> response = client.kickOffPost("Patient/$export",
				parameters(patient("Patient/pt00002"), patient("Patient/no-such-patient")));

		assertRefused(response, "Parameter 'patient'", "Patient/no-such-patient", "not exist");
	}

	@Test
	void malformedReferencesAreRefusedNamingTheParameter() throws Exception {
		for (String body : List.of(
				parameters(patient("Observation/obs-pt00001-0-0")),
				parameters(patient("pt00001")),
				parameters(patient("http://elsewhere.example/fhir/Patient/pt00001")),
				parameters(string("patient", "Patient/pt00001")))) {
			assertRefused(client.kickOffPost("Group/small/$export", body), "'patient'");
		}
	}

	@Test
	void patientInAGetKickOffIsRefusedNamingTheParameter() throws Exception {
		assertRefused(client.kickOff("Group/small/$export?patient=Patient/pt00001"), "'patient'", "POST");
		assertRefused(client.kickOff("Patient/$export?patient=Patient%2Fpt00001"), "'patient'", "POST");
	}

	@Test
	void patientAtSystemLevelIsRefused() throws Exception {
		assertRefused(client.kickOffPost("$export", parameters(patient("Patient/pt00001"))), "'patient'",
				"Group and Patient level");
	}

	@Test
	void theCapabilityStatementDeclaresPatientAndElementsPerLevel() throws Exception {
		org.hl7.fhir.r4.model.CapabilityStatement statement = BulkClient.FHIR.newJsonParser()
				.parseResource(org.hl7.fhir.r4.model.CapabilityStatement.class, client.read("metadata"));
		org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent rest = statement.getRestFirstRep();

		assertThat(exportDocumentation(rest.getOperation())).contains("_elements").doesNotContain("patient (");
		for (String type : List.of("Group", "Patient")) {
			org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent resource =
					rest.getResource().stream().filter(r -> r.getType().equals(type)).findFirst().orElseThrow();
			assertThat(exportDocumentation(resource.getOperation())).as(type).contains("_elements", "patient (POST");
		}
	}

	private static String exportDocumentation(
			List<org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent> operations) {
		return operations.stream().filter(o -> o.getName().equals("export")).findFirst().orElseThrow().getDocumentation();
	}

	static String parameters(String... entries) {
		return "{\"resourceType\":\"Parameters\",\"parameter\":[" + String.join(",", entries) + "]}";
	}

	static String patient(String reference) {
		return "{\"name\":\"patient\",\"valueReference\":{\"reference\":\"" + reference + "\"}}";
	}

	static String string(String name, String value) {
		return "{\"name\":\"" + name + "\",\"valueString\":\"" + value + "\"}";
	}

	static void assertRefused(HttpResponse<String> response, String... messageParts) throws Exception {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		JsonNode body = BulkClient.JSON.readTree(response.body());
		assertThat(body.get("resourceType").asText()).isEqualTo("OperationOutcome");
		String diagnostics = java.util.stream.StreamSupport.stream(body.get("issue").spliterator(), false)
				.map(issue -> issue.path("diagnostics").asText())
				.collect(Collectors.joining(" "));
		assertThat(diagnostics).contains(messageParts);
	}
}
