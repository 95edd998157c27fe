package org.bulkfhir.dropin;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.util.Map;
import java.util.TreeMap;

/**
 * Ten patients, each with two Observations and an Encounter; one Organization manages them all;
 * the Encounters of patients 0..5 name Practitioner pr1, the others pr2. Group g1 holds patients
 * 0..5, so its export has exactly {@link #GROUP_COUNTS}.
 */
final class DropInTestData {

	static final int PATIENTS = 10;
	static final int GROUP_MEMBERS = 6;
	static final Map<String, Integer> GROUP_COUNTS = new TreeMap<>(Map.of(
			"Patient", GROUP_MEMBERS,
			"Observation", 2 * GROUP_MEMBERS,
			"Encounter", GROUP_MEMBERS,
			"Organization", 1,
			"Practitioner", 1));

	private DropInTestData() {}

	static Bundle transaction() {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		put(bundle, withId(new Organization().setName("Clinic"), "org1"));
		put(bundle, withId(new Practitioner().addName(new HumanName().setFamily("One")), "pr1"));
		put(bundle, withId(new Practitioner().addName(new HumanName().setFamily("Two")), "pr2"));
		Group group = new Group().setType(Group.GroupType.PERSON).setActual(true);
		for (int i = 0; i < PATIENTS; i++) {
			String patientId = "p" + i;
			Reference subject = new Reference("Patient/" + patientId);
			put(bundle, withId(new Patient()
					.addName(new HumanName().setFamily("Test" + i))
					.setManagingOrganization(new Reference("Organization/org1")), patientId));
			for (int j = 0; j < 2; j++) {
				put(bundle, withId(new Observation()
						.setStatus(Observation.ObservationStatus.FINAL)
						.setCode(new CodeableConcept(new Coding("http://loinc.org", "8867-4", "Heart rate")))
						.setSubject(subject), patientId + "-obs" + j));
			}
			Encounter encounter = new Encounter()
					.setStatus(Encounter.EncounterStatus.FINISHED)
					.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", null))
					.setSubject(subject);
			encounter.addParticipant().setIndividual(new Reference("Practitioner/" + (i < GROUP_MEMBERS ? "pr1" : "pr2")));
			put(bundle, withId(encounter, patientId + "-enc"));
			if (i < GROUP_MEMBERS) {
				group.addMember().setEntity(subject);
			}
		}
		put(bundle, withId(group, "g1"));
		return bundle;
	}

	private static <T extends Resource> T withId(T resource, String id) {
		resource.setId(id);
		return resource;
	}

	private static void put(Bundle bundle, Resource resource) {
		bundle.addEntry()
				.setResource(resource)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
	}
}
