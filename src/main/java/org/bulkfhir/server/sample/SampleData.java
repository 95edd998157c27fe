package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Random;

/**
 * A deterministic synthetic population: shared Organizations, Practitioners, PractitionerRoles,
 * Locations and Medications, then patients with Encounters, Observations, Conditions, Procedures,
 * MedicationRequests, DiagnosticReports, Immunizations and AllergyIntolerances, one Provenance
 * for every clinical resource and a few Provenance of other shapes (on the Patient, with several
 * targets, across two patients). The same arguments always give the same resources and ids.
 */
public final class SampleData {

	public static final int ORGANIZATIONS = 3;
	public static final int PRACTITIONERS = 6;
	public static final int LOCATIONS = 3;
	public static final int MEDICATIONS = 4;

	private static final String[][] VITALS = {
		{"8867-4", "Heart rate", "/min"},
		{"8480-6", "Systolic blood pressure", "mm[Hg]"},
		{"29463-7", "Body weight", "kg"},
		{"8310-5", "Body temperature", "Cel"},
		{"2339-0", "Glucose", "mg/dL"}
	};

	private SampleData() {}

	public static String patientId(int index) {
		return String.format("pt%05d", index);
	}

	/** Organizations, Practitioners, PractitionerRoles, Locations and Medications, as a transaction. */
	public static Bundle sharedResources() {
		Bundle bundle = transaction();
		for (int i = 1; i <= ORGANIZATIONS; i++) {
			Organization org = new Organization();
			org.setId("org" + i);
			org.setName("Sample Hospital " + i);
			put(bundle, org);
		}
		for (int i = 1; i <= LOCATIONS; i++) {
			Location location = new Location();
			location.setId("loc" + i);
			location.setName("Ward " + i);
			location.setManagingOrganization(new Reference("Organization/org" + (1 + (i - 1) % ORGANIZATIONS)));
			put(bundle, location);
		}
		for (int i = 1; i <= PRACTITIONERS; i++) {
			Practitioner practitioner = new Practitioner();
			practitioner.setId("prac" + i);
			practitioner.addName(new HumanName().setFamily("Doctor" + i).addGiven("Sam"));
			put(bundle, practitioner);
			put(bundle, provenance("prov-prac" + i, new Reference("Organization/org1"), "Practitioner/prac" + i));
			PractitionerRole role = new PractitionerRole();
			role.setId("role" + i);
			role.setPractitioner(new Reference("Practitioner/prac" + i));
			role.setOrganization(new Reference("Organization/org" + (1 + (i - 1) % ORGANIZATIONS)));
			put(bundle, role);
		}
		for (int i = 1; i <= MEDICATIONS; i++) {
			Medication medication = new Medication();
			medication.setId("med" + i);
			medication.setCode(concept("http://www.nlm.nih.gov/research/umls/rxnorm", "31456" + i, "Medication " + i));
			put(bundle, medication);
		}
		return bundle;
	}

	/**
	 * One patient and their record, as a transaction. {@code encounters} drives the size:
	 * 1 + 2 × (8 × encounters + 3) resources.
	 */
	public static Bundle patient(int index, int encounters) {
		Bundle bundle = patientOwnRecord(index, encounters);
		bundle.getEntry().addAll(linkToPrevious(index).getEntry());
		return bundle;
	}

	/** The patient's record without the Provenance that also targets the previous patient. */
	public static Bundle patientOwnRecord(int index, int encounters) {
		Random random = new Random(index * 7919L + 17);
		Bundle bundle = transaction();
		String pid = patientId(index);
		Reference patientRef = new Reference("Patient/" + pid);
		Patient patient = new Patient();
		patient.setId(pid);
		patient.addName(new HumanName().setFamily("Sample" + index).addGiven(index % 2 == 0 ? "Alex" : "Robin"));
		patient.setGender(index % 2 == 0 ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
		patient.setBirthDate(date(LocalDate.of(1940 + index % 60, 1 + index % 12, 1 + index % 28)));
		patient.setManagingOrganization(new Reference("Organization/org" + (1 + index % ORGANIZATIONS)));
		patient.addGeneralPractitioner(new Reference("Practitioner/prac" + (1 + index % PRACTITIONERS)));
		put(bundle, patient);

		for (int e = 0; e < encounters; e++) {
			String suffix = pid + "-" + e;
			Reference practitioner = new Reference("Practitioner/prac" + (1 + random.nextInt(PRACTITIONERS)));
			Date start = date(LocalDate.of(2015 + e % 10, 1 + random.nextInt(12), 1 + random.nextInt(28)));

			Encounter encounter = new Encounter();
			encounter.setId("enc-" + suffix);
			encounter.setStatus(Encounter.EncounterStatus.FINISHED);
			encounter.setClass_(new org.hl7.fhir.r4.model.Coding(
					"http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
			encounter.setSubject(patientRef);
			encounter.setPeriod(new Period().setStart(start).setEnd(start));
			encounter.addParticipant().setIndividual(practitioner);
			encounter.addLocation().setLocation(new Reference("Location/loc" + (1 + random.nextInt(LOCATIONS))));
			encounter.setServiceProvider(new Reference("Organization/org" + (1 + random.nextInt(ORGANIZATIONS))));
			clinical(bundle, encounter, practitioner);
			Reference encounterRef = new Reference("Encounter/" + encounter.getIdElement().getIdPart());

			DiagnosticReport report = new DiagnosticReport();
			report.setId("dr-" + suffix);
			report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
			report.setCode(concept("http://loinc.org", "51990-0", "Basic metabolic panel"));
			report.setSubject(patientRef);
			report.setEncounter(encounterRef);
			for (int o = 0; o < 3; o++) {
				String[] vital = VITALS[(e + o) % VITALS.length];
				Observation observation = new Observation();
				observation.setId("obs-" + suffix + "-" + o);
				observation.setStatus(Observation.ObservationStatus.FINAL);
				observation.setCode(concept("http://loinc.org", vital[0], vital[1]));
				observation.setSubject(patientRef);
				observation.setEncounter(encounterRef);
				observation.setEffective(new DateTimeType(start));
				observation.addPerformer(practitioner);
				observation.setValue(new Quantity()
						.setValue(40 + random.nextInt(100))
						.setUnit(vital[2])
						.setSystem("http://unitsofmeasure.org")
						.setCode(vital[2]));
				clinical(bundle, observation, practitioner);
				report.addResult(new Reference("Observation/" + observation.getIdElement().getIdPart()));
			}
			clinical(bundle, report, practitioner);

			Condition condition = new Condition();
			condition.setId("cond-" + suffix);
			condition.setSubject(patientRef);
			condition.setEncounter(encounterRef);
			condition.setCode(concept("http://snomed.info/sct", "4436900" + (e % 10), "Condition " + e));
			condition.setRecordedDate(start);
			condition.setAsserter(practitioner);
			clinical(bundle, condition, practitioner);

			Procedure procedure = new Procedure();
			procedure.setId("proc-" + suffix);
			procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
			procedure.setSubject(patientRef);
			procedure.setEncounter(encounterRef);
			procedure.setCode(concept("http://snomed.info/sct", "7167700" + (e % 10), "Procedure " + e));
			procedure.setPerformed(new DateTimeType(start));
			procedure.addPerformer().setActor(practitioner);
			clinical(bundle, procedure, practitioner);

			MedicationRequest request = new MedicationRequest();
			request.setId("medreq-" + suffix);
			request.setStatus(MedicationRequest.MedicationRequestStatus.COMPLETED);
			request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
			request.setSubject(patientRef);
			request.setEncounter(encounterRef);
			request.setMedication(new Reference("Medication/med" + (1 + random.nextInt(MEDICATIONS))));
			request.setRequester(practitioner);
			request.setAuthoredOn(start);
			clinical(bundle, request, practitioner);
		}
		Reference practitioner = new Reference("Practitioner/prac" + (1 + index % PRACTITIONERS));
		for (int i = 0; i < 2; i++) {
			Immunization immunization = new Immunization();
			immunization.setId("imm-" + pid + "-" + i);
			immunization.setStatus(Immunization.ImmunizationStatus.COMPLETED);
			immunization.setVaccineCode(concept("http://hl7.org/fhir/sid/cvx", i == 0 ? "140" : "208", "Vaccine " + i));
			immunization.setPatient(patientRef);
			immunization.setOccurrence(new DateTimeType(date(LocalDate.of(2020 + i, 10, 1))));
			clinical(bundle, immunization, practitioner);
		}
		AllergyIntolerance allergy = new AllergyIntolerance();
		allergy.setId("allergy-" + pid);
		allergy.setPatient(patientRef);
		allergy.setClinicalStatus(concept(
				"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"));
		allergy.setCode(concept("http://snomed.info/sct", "91936005", "Allergy to penicillin"));
		clinical(bundle, allergy, practitioner);
		addExtraProvenance(bundle, index, encounters, practitioner);
		return bundle;
	}

	/**
	 * Provenance of other shapes: one on the Patient (versioned reference), one with two targets,
	 * one whose targets belong to two patients, and a second, later one for the first Observation.
	 */
	private static void addExtraProvenance(Bundle bundle, int index, int encounters, Reference agent) {
		String pid = patientId(index);
		put(bundle, provenance("prov-patient-" + pid, agent, "Patient/" + pid + "/_history/1"));
		if (encounters > 0) {
			put(bundle, provenance("prov-pair-" + pid, agent, "Encounter/enc-" + pid + "-0", "Condition/cond-" + pid + "-0"));
			put(bundle, provenance("prov-later-" + pid, agent, "Observation/obs-" + pid + "-0-0"));
		}
	}

	/** The Provenance whose targets belong to two patients (this one and the previous); empty for the first. */
	public static Bundle linkToPrevious(int index) {
		Bundle bundle = transaction();
		if (index > 0) {
			String pid = patientId(index);
			Reference agent = new Reference("Practitioner/prac" + (1 + index % PRACTITIONERS));
			put(bundle, provenance("prov-link-" + pid, agent, "Patient/" + pid, "Patient/" + patientId(index - 1)));
		}
		return bundle;
	}

	private static Provenance provenance(String id, Reference agent, String... targets) {
		Provenance provenance = new Provenance();
		provenance.setId(id);
		for (String target : targets) {
			provenance.addTarget(new Reference(target));
		}
		provenance.setRecorded(new Date(1_700_000_000_000L));
		provenance.addAgent().setWho(agent);
		return provenance;
	}

	/** Resources per patient for a given number of encounters (about: the first patient has one less). */
	public static int resourcesPerPatient(int encounters) {
		return 1 + 2 * (8 * encounters + 3) + (encounters > 0 ? 4 : 2);
	}

	/** A Group with the given patients as active members (and, optionally, one inactive member). */
	public static Group group(String id, String name, int fromIndex, int toIndexExclusive, Integer inactiveIndex) {
		Group group = new Group();
		group.setId(id);
		group.setName(name);
		group.setType(Group.GroupType.PERSON);
		group.setActual(true);
		for (int i = fromIndex; i < toIndexExclusive; i++) {
			group.addMember().setEntity(new Reference("Patient/" + patientId(i)));
		}
		if (inactiveIndex != null) {
			group.addMember().setEntity(new Reference("Patient/" + patientId(inactiveIndex))).setInactive(true);
		}
		return group;
	}

	private static void clinical(Bundle bundle, Resource resource, Reference agent) {
		put(bundle, resource);
		String id = resource.getIdElement().getIdPart();
		put(bundle, provenance("prov-" + id, agent, resource.fhirType() + "/" + id));
	}

	private static Bundle transaction() {
		Bundle bundle = new Bundle();
		bundle.setType(Bundle.BundleType.TRANSACTION);
		return bundle;
	}

	private static void put(Bundle bundle, Resource resource) {
		String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		bundle.addEntry()
				.setFullUrl(url)
				.setResource(resource)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(url);
	}

	private static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(system, code, display));
	}

	private static Date date(LocalDate date) {
		return Date.from(date.atStartOfDay().toInstant(ZoneOffset.UTC));
	}
}
