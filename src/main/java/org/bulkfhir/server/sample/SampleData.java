package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import java.time.LocalDate;
import java.util.Random;

import static org.bulkfhir.server.sample.SampleFhir.*;

/**
 * A deterministic synthetic population shaped like real US health records: shared Organizations,
 * Practitioners, PractitionerRoles, Locations and Medications, then patients with Encounters,
 * Observations, Conditions, Procedures, MedicationRequests, DiagnosticReports, Immunizations and
 * AllergyIntolerances, one Provenance for every clinical resource and a few Provenance of other
 * shapes (on the Patient, with several targets, across two patients).
 *
 * <p>Like records from a US EHR, most resources declare a US Core profile ({@code meta.profile},
 * vital signs two), some carry tags (with version and userSelected) and security labels, all a
 * {@code meta.source}; Patients have the us-core race, ethnicity and birth-sex extensions, an
 * extension on {@code birthDate} (and on a given name), narratives, identifiers and addresses;
 * values use choice types ({@code value[x]}, {@code effective[x]}, {@code onset[x]},
 * {@code performed[x]}, {@code occurrence[x]}, {@code medication[x]}); some MedicationRequests
 * carry their Medication as a contained resource, and a few AllergyIntolerances an extension on
 * {@code meta} itself. The same arguments always give the same resources and ids.
 */
public final class SampleData {

	public static final int ORGANIZATIONS = 3;
	public static final int PRACTITIONERS = 6;
	public static final int LOCATIONS = 3;
	public static final int MEDICATIONS = 4;

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
			profile(org, "us-core-organization");
			org.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue(String.format("19%08d", 4_321_000 + i));
			org.setActive(true);
			org.addType(concept("http://terminology.hl7.org/CodeSystem/organization-type", "prov", "Healthcare Provider"));
			org.setName("Sample Hospital " + i);
			org.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("555-010-" + (1000 + i));
			org.addAddress(address(i, "Boston").setUse(Address.AddressUse.WORK));
			put(bundle, org);
		}
		for (int i = 1; i <= LOCATIONS; i++) {
			Location location = new Location();
			location.setId("loc" + i);
			profile(location, "us-core-location");
			location.setStatus(Location.LocationStatus.ACTIVE);
			location.setName("Ward " + i);
			location.addType(concept("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HU", "Hospital unit"));
			location.setAddress(address(i + 10, "Boston").setUse(Address.AddressUse.WORK));
			location.setManagingOrganization(new Reference("Organization/org" + (1 + (i - 1) % ORGANIZATIONS)));
			put(bundle, location);
		}
		for (int i = 1; i <= PRACTITIONERS; i++) {
			Practitioner practitioner = new Practitioner();
			practitioner.setId("prac" + i);
			profile(practitioner, "us-core-practitioner");
			practitioner.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue(String.format("99%08d", 1_234_000 + i));
			practitioner.setActive(true);
			practitioner.addName(new HumanName().setFamily("Doctor" + i).addGiven("Sam").addPrefix("Dr."));
			practitioner.setGender(i % 2 == 0 ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
			put(bundle, practitioner);
			put(bundle, provenance("prov-prac" + i, new Reference("Organization/org1"), "Practitioner/prac" + i));
			PractitionerRole role = new PractitionerRole();
			role.setId("role" + i);
			profile(role, "us-core-practitionerrole");
			role.setActive(true);
			role.setPractitioner(new Reference("Practitioner/prac" + i));
			role.setOrganization(new Reference("Organization/org" + (1 + (i - 1) % ORGANIZATIONS)));
			role.addCode(concept("http://nucc.org/provider-taxonomy", "207Q00000X", "Family Medicine Physician"));
			role.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("555-020-" + (1000 + i));
			put(bundle, role);
		}
		for (int i = 1; i <= MEDICATIONS; i++) {
			Medication medication = new Medication();
			medication.setId("med" + i);
			profile(medication, "us-core-medication");
			medication.setCode(concept("http://www.nlm.nih.gov/research/umls/rxnorm", "31456" + i, "Medication " + i));
			medication.setStatus(Medication.MedicationStatus.ACTIVE);
			medication.setForm(concept("http://snomed.info/sct", "385055001", "Tablet"));
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
		put(bundle, SamplePatient.of(index));

		for (int e = 0; e < encounters; e++) {
			SampleVisit.add(bundle, index, e, random, pid, patientRef);
		}
		Reference practitioner = new Reference("Practitioner/prac" + (1 + index % PRACTITIONERS));
		for (int i = 0; i < 2; i++) {
			Immunization immunization = new Immunization();
			immunization.setId("imm-" + pid + "-" + i);
			profile(immunization, "us-core-immunization");
			immunization.setStatus(Immunization.ImmunizationStatus.COMPLETED);
			immunization.setVaccineCode(concept("http://hl7.org/fhir/sid/cvx", i == 0 ? "140" : "208", "Vaccine " + i));
			immunization.setPatient(patientRef);
			if (i == 0 || index % 3 != 0) {
				immunization.setOccurrence(new DateTimeType(date(LocalDate.of(2020 + i, 10, 1))));
			} else {
				immunization.setOccurrence(new StringType("Fall 2021, reported by the patient"));
			}
			immunization.setPrimarySource(i == 0);
			immunization.setLotNumber("LOT" + (1000 + index % 900) + i);
			clinical(bundle, immunization, practitioner);
		}
		AllergyIntolerance allergy = new AllergyIntolerance();
		allergy.setId("allergy-" + pid);
		profile(allergy, "us-core-allergyintolerance");
		if (index % 10 == 3) {
			// An extension on meta itself: HAPI keeps it in the stored text.
			allergy.getMeta().addExtension(META_EXTENSION, new DateTimeType("2024-01-15T10:00:00Z"));
		}
		allergy.setPatient(patientRef);
		allergy.setClinicalStatus(concept(
				"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"));
		allergy.setVerificationStatus(concept(
				"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"));
		allergy.setCode(concept("http://snomed.info/sct", "91936005", "Allergy to penicillin"));
		allergy.setOnset(new DateTimeType(date(LocalDate.of(1990 + index % 30, 6, 1))));
		allergy.addReaction()
				.addManifestation(concept("http://snomed.info/sct", "247472004", "Hives"))
				.setSeverity(AllergyIntolerance.AllergyIntoleranceSeverity.MILD);
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
}
