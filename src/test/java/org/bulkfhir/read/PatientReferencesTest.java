package org.bulkfhir.read;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PatientReferencesTest {

	@Test
	void onePatientNamedOnceOrOftenIsOne() {
		assertThat(PatientReferences.nameSeveralPatients(
				"{\"resourceType\":\"Observation\",\"subject\":{\"reference\":\"Patient/pt1\"},"
						+ "\"performer\":[{\"reference\":\"Practitioner/pr1\"},{\"reference\":\"Patient/pt1\"}]}"))
				.isFalse();
		assertThat(PatientReferences.nameSeveralPatients("{\"resourceType\":\"Observation\",\"status\":\"final\"}"))
				.isFalse();
	}

	@Test
	void twoPatientsInAnyFormAreSeveral() {
		assertThat(PatientReferences.nameSeveralPatients(
				"{\"subject\":{\"reference\":\"Patient/pt1\"},\"performer\":[{\"reference\":\"Patient/pt2\"}]}"))
				.isTrue();
		assertThat(PatientReferences.nameSeveralPatients(
				"{\"subject\":{\"reference\":\"Patient/pt1/_history/3\"},"
						+ "\"extension\":[{\"valueReference\":{\"reference\":\"http://ehr.example/fhir/Patient/pt2\"}}]}"))
				.isTrue();
		assertThat(PatientReferences.nameSeveralPatients(
				"{\"subject\":{\"reference\":\"Patient/pt1/_history/3\"},\"focus\":[{\"reference\":\"Patient/pt1\"}]}"))
				.isFalse();
	}

	@Test
	void otherTypesAndTextAreNotPatients() {
		assertThat(PatientReferences.nameSeveralPatients(
				"{\"subject\":{\"reference\":\"Patient/pt1\"},\"basedOn\":[{\"reference\":\"CarePlan/Patient\"}],"
						+ "\"note\":[{\"text\":\"see \\\"reference\\\":\\\"Patient/pt9\\\"\"}]}"))
				.isFalse();
	}

	@Test
	void anEscapeInAReferenceCountsAsSeveral() {
		assertThat(PatientReferences.nameSeveralPatients("{\"subject\":{\"reference\":\"Patient/p\\u00e9\"}}"))
				.isTrue();
	}
}
