package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The _elements cut on stored JSON, without a server: what is kept, what is dropped, the tag. */
class ElementSubsetterTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final ObjectMapper JSON = new ObjectMapper();
	private static final String OBSERVATION = "{\"resourceType\":\"Observation\",\"id\":\"o1\","
			+ "\"meta\":{\"versionId\":\"2\",\"lastUpdated\":\"2026-01-02T03:04:05.678+00:00\","
			+ "\"tag\":[{\"system\":\"http://example.org/t\",\"code\":\"x\"}]},"
			+ "\"status\":\"final\",\"code\":{\"text\":\"Heart rate\"},\"subject\":{\"reference\":\"Patient/p1\"},"
			+ "\"valueQuantity\":{\"value\":72,\"unit\":\"/min\"},\"note\":[{\"text\":\"resting\"}]}";

	@Test
	void keepsListedAndMandatoryElementsAndTagsTheResourceSubsetted() throws Exception {
		ElementSubsetter subsetter = ElementSubsetter.of(FHIR, List.of("Observation.subject"));

		JsonNode cut = JSON.readTree(subsetter.apply("Observation", OBSERVATION));

		assertThat(cut.get("id").asText()).isEqualTo("o1");
		assertThat(cut.get("subject").get("reference").asText()).isEqualTo("Patient/p1");
		// status and code are 1..1 in Observation: mandatory, kept
		assertThat(cut.get("status").asText()).isEqualTo("final");
		assertThat(cut.get("code").get("text").asText()).isEqualTo("Heart rate");
		assertThat(cut.has("valueQuantity")).isFalse();
		assertThat(cut.has("note")).isFalse();
		assertThat(cut.get("meta").get("versionId").asText()).isEqualTo("2");
		assertThat(cut.get("meta").get("lastUpdated").asText()).isEqualTo("2026-01-02T03:04:05.678+00:00");
		assertThat(cut.get("meta").get("tag").toString())
				.contains("\"code\":\"x\"")
				.contains("\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ObservationValue\",\"code\":\"SUBSETTED\"");
	}

	@Test
	void aChoiceElementIsNamedWithoutItsType() throws Exception {
		JsonNode cut = JSON.readTree(ElementSubsetter.of(FHIR, List.of("value")).apply("Observation", OBSERVATION));

		assertThat(cut.get("valueQuantity").get("value").asInt()).isEqualTo(72);
		assertThat(cut.has("subject")).isFalse();
	}

	@Test
	void aTypeWithoutEntriesIsLeftWholeWhenOnlyTypedEntriesExist() {
		ElementSubsetter subsetter = ElementSubsetter.of(FHIR, List.of("Patient.name"));

		assertThat(subsetter.restricts("Observation")).isFalse();
		assertThat(subsetter.apply("Observation", OBSERVATION)).isSameAs(OBSERVATION);
		assertThat(ElementSubsetter.of(FHIR, List.of("Patient.name", "status")).restricts("Observation")).isTrue();
		assertThat(ElementSubsetter.none().restricts("Observation")).isFalse();
	}
}
