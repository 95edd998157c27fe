package org.bulkfhir.read;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TextReferencesTest {

	@Test
	void relativeReferencesOfTheWantedTypesAreCollectedByTypeAndId() {
		TextReferences references = new TextReferences(Set.of("Practitioner", "Organization", "Medication"));
		references.collect(1, "{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/pt1\"},"
				+ "\"performer\":[{\"reference\":\"Practitioner/pr1\"},{\"reference\":\"Organization/org-2/_history/4\"}],"
				+ "\"contained\":[{\"resourceType\":\"Medication\",\"id\":\"m\",\"manufacturer\":{\"reference\":\"Organization/org-3\"}}],"
				+ "\"extension\":[{\"valueReference\":{\"reference\":\"#m\"}}],\"basedOn\":[{\"reference\":\"CarePlan/cp\"}]}");
		references.collect(2, "{\"resourceType\":\"Encounter\",\"participant\":[{\"individual\":{\"reference\":\"Practitioner/pr1\"}}],"
				+ "\"basedOn\":[{\"reference\":\"MedicationRequest/mr1\"},{\"reference\":\"Practitione/pr2\"}]}");
		assertThat(references.ids()).containsOnlyKeys("Practitioner", "Organization");
		assertThat(references.ids().get("Practitioner")).containsExactly("pr1");
		assertThat(references.ids().get("Organization")).containsExactly("org-2", "org-3");
		assertThat(references.withAbsoluteReferences()).isEmpty();
	}

	@Test
	void absoluteReferencesAreLeftToHapisLinks() {
		TextReferences references = new TextReferences(Set.of("Practitioner"));
		references.collect(7, "{\"performer\":[{\"reference\":\"https://ehr.example/fhir/Practitioner/pr9\"}]}");
		references.collect(8, "{\"subject\":{\"reference\":\"urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0\"}}");
		assertThat(references.ids()).isEmpty();
		assertThat(references.withAbsoluteReferences()).containsExactly(7L);
	}

	@Test
	void nothingIsCollectedWhenNoTypeIsWanted() {
		TextReferences references = new TextReferences(Set.of());
		references.collect(1, "{\"performer\":[{\"reference\":\"https://ehr.example/fhir/Practitioner/pr9\"}]}");
		assertThat(references.ids()).isEmpty();
		assertThat(references.withAbsoluteReferences()).isEmpty();
	}
}
