package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bulkfhir.export.PatientParameterTest.assertRefused;

/**
 * The kick-off parameter {@code _elements} (Bulk Data IG v2, "Query Parameters"): resources of the types
 * it restricts keep only the listed top-level elements and the mandatory ones, and carry the SUBSETTED
 * tag, in NDJSON and in the XML download; other types are exported whole; an element that does not
 * exist is refused by name.
 */
class ElementsParameterTest extends ServerTestBase {

	private static final String SUBSETTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

	@Test
	void typedEntriesCutTheirTypeAndLeaveTheOthersWhole() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Patient,Observation&_elements="
				+ encode("Patient.gender,Patient.birthDate"));

		List<Patient> patients = resources(manifest, "Patient", Patient.class);
		assertThat(BulkClient.ids(new ArrayList<>(patients)))
				.containsExactlyElementsOf(ExpectedData.forPatients(ExpectedData.range(0, 10)).get("Patient"));
		for (Patient patient : patients) {
			assertThat(subsetted(patient.getMeta().getTag())).as(patient.getId()).isTrue();
			assertThat(patient.hasGender()).isTrue();
			assertThat(patient.hasBirthDate()).isTrue();
			assertThat(patient.hasName()).isFalse();
			assertThat(patient.hasIdentifier()).isFalse();
			assertThat(patient.getMeta().hasLastUpdated()).isTrue();
			assertThat(patient.getMeta().hasVersionId()).isTrue();
		}
		List<Observation> observations = resources(manifest, "Observation", Observation.class);
		assertThat(observations).hasSize(10 * ENCOUNTERS * 3);
		for (Observation observation : observations) {
			assertThat(subsetted(observation.getMeta().getTag())).isFalse();
			assertThat(observation.hasSubject()).isTrue();
			assertThat(observation.hasValue() || observation.hasComponent()).isTrue();
		}
	}

	@Test
	void untypedEntriesCutEveryTypeKeepingMandatoryElements() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Observation,Encounter&_elements=status");

		for (Observation observation : resources(manifest, "Observation", Observation.class)) {
			assertThat(subsetted(observation.getMeta().getTag())).isTrue();
			assertThat(observation.hasStatus()).isTrue();
			assertThat(observation.hasCode()).as("Observation.code is 1..1").isTrue();
			assertThat(observation.hasSubject()).isFalse();
			assertThat(observation.hasValue()).isFalse();
		}
		for (Encounter encounter : resources(manifest, "Encounter", Encounter.class)) {
			assertThat(subsetted(encounter.getMeta().getTag())).isTrue();
			assertThat(encounter.hasStatus()).isTrue();
			assertThat(encounter.hasClass_()).as("Encounter.class is 1..1").isTrue();
			assertThat(encounter.hasSubject()).isFalse();
		}
	}

	@Test
	void theXmlDownloadCarriesTheSubsettedResources() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Patient&_elements=" + encode("Patient.gender"));
		String url = manifest.get("output").get(0).get("url").asText();

		HttpResponse<String> xml =
				client.send(client.request(url).header("Accept", "application/fhir+xml").GET().build());

		assertThat(xml.statusCode()).isEqualTo(200);
		Bundle bundle = BulkClient.FHIR.newXmlParser().parseResource(Bundle.class, xml.body());
		assertThat(bundle.getEntry()).hasSize(manifest.get("output").get(0).get("count").asInt());
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Patient patient = (Patient) entry.getResource();
			assertThat(subsetted(patient.getMeta().getTag())).isTrue();
			assertThat(patient.hasGender()).isTrue();
			assertThat(patient.hasName()).isFalse();
		}
	}

	@Test
	void postedElementsWorkLikeTheQueryParameter() throws Exception {
		JsonNode manifest = client.exportPost("Group/small/$export", PatientParameterTest.parameters(
				PatientParameterTest.string("_type", "Patient"),
				PatientParameterTest.string("_elements", "Patient.gender"),
				PatientParameterTest.patient("Patient/pt00004")));

		List<Patient> patients = resources(manifest, "Patient", Patient.class);
		assertThat(patients).hasSize(1);
		assertThat(subsetted(patients.get(0).getMeta().getTag())).isTrue();
		assertThat(patients.get(0).hasName()).isFalse();
	}

	@Test
	void elementsThatDoNotExistAreRefusedByName() throws Exception {
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=Patient.nickname"),
				"_elements", "Patient.nickname");
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=nickname"),
				"_elements", "nickname");
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=" + encode("Patient.name.given")),
				"_elements", "Patient.name.given");
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=" + encode("Observation.status")),
				"_elements", "Observation");
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=" + encode("Nonsense.status")),
				"_elements", "Nonsense");
		assertRefused(client.kickOff("Group/small/$export?_type=Patient&_elements=" + encode(",")), "_elements");
	}

	private static boolean subsetted(List<Coding> tags) {
		return tags.stream().anyMatch(t -> SUBSETTED_SYSTEM.equals(t.getSystem()) && "SUBSETTED".equals(t.getCode()));
	}

	private <T> List<T> resources(JsonNode manifest, String type, Class<T> kind) throws Exception {
		Map<String, List<org.hl7.fhir.instance.model.api.IBaseResource>> all = client.downloadAll(manifest);
		assertThat(all).containsKey(type);
		return all.get(type).stream().map(kind::cast).toList();
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
