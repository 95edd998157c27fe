package org.bulkfhir.provenance;

import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Provenance all-or-nothing: with Provenance in _type, every exported resource comes with every
 * Provenance that targets it, each once; without it, no Provenance at all.
 */
class ProvenanceRuleTest extends ServerTestBase {

	private static final String ALL_GROUP_TYPES = "AllergyIntolerance,Condition,DiagnosticReport,Encounter,"
			+ "Immunization,Location,Medication,MedicationRequest,Observation,Organization,Patient,Practitioner,"
			+ "PractitionerRole,Procedure";

	@Test
	void withoutProvenanceInTypeNoProvenanceIsExportedAtAnyLevel() throws Exception {
		for (String kickOff : List.of("Group/small/$export", "Patient/$export", "$export",
				"Group/small/$export?_type=Patient,Observation")) {
			Map<String, List<IBaseResource>> exported = client.downloadAll(client.export(kickOff));
			assertThat(exported).as(kickOff).doesNotContainKey("Provenance");
		}
	}

	@Test
	void everyExportedResourceComesWithEveryProvenanceThatTargetsItOnce() throws Exception {
		Map<String, List<IBaseResource>> exported =
				client.downloadAll(client.export("Group/small/$export?_type=" + ALL_GROUP_TYPES + ",Provenance"));

		Map<String, Set<String>> expected = ExpectedData.forPatients(ExpectedData.range(0, 10));
		Set<String> expectedProvenance = ExpectedData.provenanceTargeting(ExpectedData.refs(expected));
		List<String> provenanceIds = BulkClient.ids(exported.get("Provenance"));
		assertThat(provenanceIds).doesNotHaveDuplicates();
		assertThat(provenanceIds).containsExactlyElementsOf(expectedProvenance);
		// The shapes that matter are all there: on clinical resources, on the Patient (versioned
		// reference), with two targets, across two patients, and on referenced Practitioners.
		assertThat(provenanceIds).contains("prov-obs-pt00001-0-0", "prov-patient-pt00001", "prov-pair-pt00001",
				"prov-link-pt00001", "prov-link-pt00010", "prov-prac1");
		exported.remove("Provenance");
		assertThat(BulkClient.counts(exported)).isEqualTo(ExpectedData.counts(expected));
	}

	@Test
	void provenanceFollowsOnlyTheExportedTypes() throws Exception {
		Map<String, List<IBaseResource>> exported =
				client.downloadAll(client.export("Group/small/$export?_type=Observation,Provenance"));

		Map<String, Set<String>> expected = ExpectedData.forPatients(ExpectedData.range(0, 10));
		Set<String> observationRefs = expected.get("Observation").stream()
				.map(id -> "Observation/" + id)
				.collect(Collectors.toCollection(TreeSet::new));
		assertThat(BulkClient.ids(exported.get("Provenance")))
				.containsExactlyElementsOf(ExpectedData.provenanceTargeting(observationRefs));
		assertThat(exported.keySet()).containsExactlyInAnyOrder("Observation", "Provenance");
	}

	@Test
	void provenanceAloneExportsTheProvenanceOfTheWholeMemberExport() throws Exception {
		Map<String, List<IBaseResource>> exported =
				client.downloadAll(client.export("Group/small/$export?_type=Provenance"));

		assertThat(exported.keySet()).containsExactly("Provenance");
		Set<String> expected = ExpectedData.provenanceTargeting(
				ExpectedData.refs(ExpectedData.forPatients(ExpectedData.range(0, 10))));
		assertThat(BulkClient.ids(exported.get("Provenance"))).containsExactlyElementsOf(expected);
	}

	@Test
	void systemExportWithProvenanceHasEachProvenanceOnce() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(
				client.export("$export?_type=Patient,Encounter,Condition,Practitioner,Provenance"));

		Map<String, Set<String>> everything = ExpectedData.everything();
		Set<String> refs = new TreeSet<>();
		for (String type : List.of("Patient", "Encounter", "Condition", "Practitioner")) {
			everything.get(type).forEach(id -> refs.add(type + "/" + id));
		}
		List<String> ids = BulkClient.ids(exported.get("Provenance"));
		assertThat(ids).doesNotHaveDuplicates();
		assertThat(ids).containsExactlyElementsOf(ExpectedData.provenanceTargeting(refs));
	}

	@Test
	void typeFilterNarrowsTheProvenance() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export(
				"Group/small/$export?_type=Patient,Provenance&_typeFilter=Provenance%3Fagent%3DPractitioner/prac2"));

		List<IBaseResource> provenance = exported.get("Provenance");
		assertThat(provenance).isNotEmpty();
		for (IBaseResource resource : provenance) {
			assertThat(((Provenance) resource).getAgentFirstRep().getWho().getReference())
					.isEqualTo("Practitioner/prac2");
		}
		Set<String> patientRefs = new TreeSet<>();
		ExpectedData.range(0, 10).forEach(i -> patientRefs.add("Patient/" + org.bulkfhir.server.sample.SampleData.patientId(i)));
		Set<String> expected = ExpectedData.allProvenance().stream()
				.filter(p -> p.getAgentFirstRep().getWho().getReference().equals("Practitioner/prac2"))
				.map(p -> p.getIdElement().getIdPart())
				.filter(ExpectedData.provenanceTargeting(patientRefs)::contains)
				.collect(Collectors.toCollection(TreeSet::new));
		assertThat(BulkClient.ids(provenance)).containsExactlyElementsOf(expected);
	}

	@Test
	void latestProvenanceGivesOneProvenancePerResource() throws Exception {
		Map<String, List<IBaseResource>> exported = client.downloadAll(client.export(
				"Group/small/$export?_type=Observation,Provenance&includeAssociatedData=LatestProvenanceResources"));

		Map<String, Integer> perTarget = new TreeMap<>();
		for (IBaseResource resource : exported.get("Provenance")) {
			for (var target : ((Provenance) resource).getTarget()) {
				perTarget.merge(target.getReferenceElement().toUnqualifiedVersionless().getValue(), 1, Integer::sum);
			}
		}
		Map<String, Integer> observations = new HashMap<>();
		for (IBaseResource observation : exported.get("Observation")) {
			observations.put("Observation/" + observation.getIdElement().getIdPart(), 1);
		}
		assertThat(perTarget).containsAllEntriesOf(observations);
		assertThat(BulkClient.ids(exported.get("Provenance"))).contains("prov-later-pt00001")
				.doesNotContain("prov-obs-pt00001-0-0");
	}
}
