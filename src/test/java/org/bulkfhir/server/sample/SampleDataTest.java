package org.bulkfhir.server.sample;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.bulkfhir.conformance.R4Validator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample population: deterministic, shaped like real records, valid FHIR R4. */
class SampleDataTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void sameArgumentsGiveTheSameResources() {
		IParser json = FHIR.newJsonParser();
		assertThat(json.encodeResourceToString(SampleData.patient(7, 3)))
				.isEqualTo(json.encodeResourceToString(SampleData.patient(7, 3)));
		assertThat(SampleData.patient(7, 3).getEntry()).hasSize(SampleData.resourcesPerPatient(3));
	}

	@Test
	void looksLikeRealRecords() {
		List<Resource> resources = resources(20, 6);
		long profiled = resources.stream().filter(r -> r.getMeta().hasProfile()).count();
		long tagged = resources.stream().filter(r -> r.getMeta().hasTag()).count();
		long labelled = resources.stream().filter(r -> r.getMeta().hasSecurity()).count();
		long sourced = resources.stream().filter(r -> r.getMeta().hasSource()).count();
		long metaExtensions = resources.stream().filter(r -> r.getMeta().hasExtension()).count();
		assertThat(profiled).isGreaterThan(resources.size() * 3 / 4).isLessThan(resources.size());
		assertThat(tagged).isGreaterThan(resources.size() / 10);
		assertThat(labelled).isGreaterThan(resources.size() / 100);
		assertThat(sourced).isEqualTo(resources.size());
		assertThat(metaExtensions).isEqualTo(2);
		String patient = FHIR.newJsonParser().encodeResourceToString(SampleData.patient(0, 1).getEntry().get(0).getResource());
		assertThat(patient).contains("us-core-race", "us-core-ethnicity", "\"_birthDate\"", "\"_given\"", "\"text\"");
		String records = FHIR.newJsonParser().encodeResourceToString(SampleData.patient(2, 3));
		assertThat(records).contains("\"contained\"", "\"valueQuantity\"", "\"effectivePeriod\"", "\"effectiveDateTime\"",
				"\"onsetAge\"", "\"onsetString\"", "\"performedPeriod\"", "\"medicationCodeableConcept\"");
	}

	@Test
	void everyResourceIsValidR4() {
		R4Validator validator = new R4Validator(FHIR);
		Map<String, List<String>> errors = new TreeMap<>();
		List<Resource> resources = new ArrayList<>();
		SampleData.sharedResources().getEntry().forEach(e -> resources.add(e.getResource()));
		resources.addAll(resources(1, 3).subList(0, SampleData.resourcesPerPatient(3)));
		for (Resource resource : resources) {
			List<String> found = validator.errors(resource);
			if (!found.isEmpty()) {
				errors.put(resource.fhirType() + "/" + resource.getIdElement().getIdPart(), found);
			}
		}
		assertThat(errors).isEmpty();
	}

	private static List<Resource> resources(int patients, int encounters) {
		List<Resource> resources = new ArrayList<>();
		for (int i = 0; i < patients; i++) {
			for (Bundle.BundleEntryComponent entry : SampleData.patient(i + 1, encounters).getEntry()) {
				resources.add(entry.getResource());
			}
		}
		return resources;
	}
}
