package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Age;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Narrative;
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
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Timing;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Random;

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

	/** Where the sample's records claim to come from ({@code meta.source}). */
	public static final String SOURCE = "http://ehr.sample.example.org/fhir";
	static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";
	static final String TAGS = "http://ehr.sample.example.org/fhir/tags";
	static final String CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
	static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	static final String META_EXTENSION = "http://ehr.sample.example.org/fhir/StructureDefinition/last-reconciled";

	/** LOINC code, display, UCUM unit, US Core profile, typical value and spread. */
	private static final String[][] VITALS = {
		{"8867-4", "Heart rate", "/min", "us-core-heart-rate", "72", "20"},
		{"8480-6", "Systolic blood pressure", "mm[Hg]", "us-core-vital-signs", "120", "30"},
		{"29463-7", "Body weight", "kg", "us-core-body-weight", "78.4", "25"},
		{"8310-5", "Body temperature", "Cel", "us-core-body-temperature", "36.8", "1"},
		{"2339-0", "Glucose", "mg/dL", "us-core-observation-lab", "95", "40"}
	};

	private static final String[][] RACES = {
		{"2106-3", "White"}, {"2054-5", "Black or African American"}, {"2028-9", "Asian"},
		{"1002-5", "American Indian or Alaska Native"}, {"2076-8", "Native Hawaiian or Other Pacific Islander"}
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
		put(bundle, patientResource(index));

		for (int e = 0; e < encounters; e++) {
			String suffix = pid + "-" + e;
			Reference practitioner = new Reference("Practitioner/prac" + (1 + random.nextInt(PRACTITIONERS)));
			Date start = date(LocalDate.of(2015 + e % 10, 1 + random.nextInt(12), 1 + random.nextInt(28)));
			Date end = new Date(start.getTime() + (20 + random.nextInt(70)) * 60_000L);

			Encounter encounter = new Encounter();
			encounter.setId("enc-" + suffix);
			profile(encounter, "us-core-encounter");
			tag(encounter, TAGS, "imported", "Imported from the legacy EHR");
			encounter.setText(narrative("Ambulatory encounter on " + day(start) + " with " + practitioner.getReference()));
			encounter.addIdentifier().setSystem("http://ehr.sample.example.org/encounter-id").setValue("V" + suffix);
			encounter.setStatus(Encounter.EncounterStatus.FINISHED);
			encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
			encounter.addType(concept("http://snomed.info/sct", "185349003", "Encounter for check up"));
			encounter.setSubject(patientRef);
			encounter.setPeriod(new Period().setStart(start).setEnd(end));
			encounter.addParticipant()
					.addType(concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer"))
					.setIndividual(practitioner);
			encounter.addReasonCode(concept("http://snomed.info/sct", "410620009", "Well child visit"));
			encounter.addLocation().setLocation(new Reference("Location/loc" + (1 + random.nextInt(LOCATIONS))));
			encounter.setServiceProvider(new Reference("Organization/org" + (1 + random.nextInt(ORGANIZATIONS))));
			clinical(bundle, encounter, practitioner);
			Reference encounterRef = new Reference("Encounter/" + encounter.getIdElement().getIdPart());

			DiagnosticReport report = new DiagnosticReport();
			report.setId("dr-" + suffix);
			profile(report, "us-core-diagnosticreport-lab");
			report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
			report.addCategory(concept("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory"));
			report.setCode(concept("http://loinc.org", "51990-0", "Basic metabolic panel"));
			report.setSubject(patientRef);
			report.setEncounter(encounterRef);
			report.setEffective(new DateTimeType(start));
			report.setIssued(end);
			for (int o = 0; o < 3; o++) {
				String[] vital = VITALS[(e + o) % VITALS.length];
				Observation observation = observation("obs-" + suffix + "-" + o, vital, random, start, end, index + e + o);
				observation.setSubject(patientRef);
				observation.setEncounter(encounterRef);
				observation.addPerformer(practitioner);
				clinical(bundle, observation, practitioner);
				report.addResult(new Reference("Observation/" + observation.getIdElement().getIdPart()));
			}
			report.setConclusion("Results within normal limits.");
			report.setText(narrative("Basic metabolic panel: results within normal limits."));
			clinical(bundle, report, practitioner);

			Condition condition = new Condition();
			condition.setId("cond-" + suffix);
			profile(condition, "us-core-condition-encounter-diagnosis");
			if ((index + e) % 4 == 0) {
				// Sensitive diagnoses carry security labels, as EHRs mark them.
				condition.getMeta().addSecurity(new Coding(CONFIDENTIALITY, "R", "restricted"));
				condition.getMeta().addSecurity(new Coding(ACT_CODE, "PSY", "psychiatry disorder information sensitivity"));
			}
			condition.setText(narrative("Condition " + e + ", recorded " + day(start)));
			condition.setClinicalStatus(concept(
					"http://terminology.hl7.org/CodeSystem/condition-clinical", e % 3 == 0 ? "resolved" : "active",
					e % 3 == 0 ? "Resolved" : "Active"));
			condition.setVerificationStatus(concept(
					"http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"));
			condition.addCategory(concept(
					"http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis"));
			condition.setSubject(patientRef);
			condition.setEncounter(encounterRef);
			condition.setCode(concept("http://snomed.info/sct", "4436900" + (e % 10), "Condition " + e));
			switch (e % 3) {
				case 0 -> {
					condition.setOnset(new DateTimeType(start));
					condition.setAbatement(new DateTimeType(end));
				}
				case 1 -> {
					Age age = new Age();
					age.setValue(30 + index % 40).setUnit("a").setSystem("http://unitsofmeasure.org").setCode("a");
					condition.setOnset(age);
				}
				default -> condition.setOnset(new StringType("Since childhood"));
			}
			condition.setRecordedDate(start);
			condition.setAsserter(practitioner);
			clinical(bundle, condition, practitioner);

			Procedure procedure = new Procedure();
			procedure.setId("proc-" + suffix);
			profile(procedure, "us-core-procedure");
			procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
			procedure.setSubject(patientRef);
			procedure.setEncounter(encounterRef);
			procedure.setCode(concept("http://snomed.info/sct", "7167700" + (e % 10), "Procedure " + e));
			procedure.setPerformed(e % 2 == 0 ? new DateTimeType(start) : new Period().setStart(start).setEnd(end));
			procedure.addPerformer().setActor(practitioner);
			procedure.addNote(new Annotation().setText("Patient tolerated the procedure well."));
			clinical(bundle, procedure, practitioner);

			MedicationRequest request = new MedicationRequest();
			request.setId("medreq-" + suffix);
			profile(request, "us-core-medicationrequest");
			request.setStatus(MedicationRequest.MedicationRequestStatus.COMPLETED);
			request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
			request.addCategory(concept(
					"http://terminology.hl7.org/CodeSystem/medicationrequest-category", "outpatient", "Outpatient"));
			int medication = 1 + random.nextInt(MEDICATIONS);
			switch (e % 3) {
				case 0 -> request.setMedication(new Reference("Medication/med" + medication));
				case 1 -> request.setMedication(concept(
						"http://www.nlm.nih.gov/research/umls/rxnorm", "31456" + medication, "Medication " + medication));
				default -> {
					// A compounded medication, contained in the request as EHRs send it.
					Medication compounded = new Medication();
					compounded.setId("compounded");
					compounded.setCode(new CodeableConcept().setText("Compounded ointment " + medication));
					compounded.setForm(concept("http://snomed.info/sct", "385101003", "Ointment"));
					request.addContained(compounded);
					request.setMedication(new Reference("#compounded"));
				}
			}
			request.setSubject(patientRef);
			request.setEncounter(encounterRef);
			request.setAuthoredOn(start);
			request.setRequester(practitioner);
			request.addDosageInstruction(new Dosage()
					.setSequence(1)
					.setText("1 tablet by mouth twice a day")
					.setTiming(new Timing().setRepeat(new Timing.TimingRepeatComponent()
							.setFrequency(2).setPeriod(1).setPeriodUnit(Timing.UnitsOfTime.D)))
					.addDoseAndRate(new Dosage.DosageDoseAndRateComponent().setDose(new Quantity()
							.setValue(1).setUnit("tablet").setSystem("http://unitsofmeasure.org").setCode("{tbl}"))));
			clinical(bundle, request, practitioner);
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

	private static Patient patientResource(int index) {
		String pid = patientId(index);
		Patient patient = new Patient();
		patient.setId(pid);
		profile(patient, "us-core-patient");
		if (index % 5 == 0) {
			patient.getMeta().addSecurity(new Coding(CONFIDENTIALITY, "N", "normal"));
		}
		boolean female = index % 2 == 0;
		String given = female ? "Alex" : "Robin";
		patient.setText(narrative("Sample" + index + ", " + given + " (" + (female ? "female" : "male") + ")"));
		String[] race = RACES[index % RACES.length];
		Extension raceExtension = new Extension(US_CORE + "us-core-race");
		raceExtension.addExtension("ombCategory", new Coding("urn:oid:2.16.840.1.113883.6.238", race[0], race[1]));
		raceExtension.addExtension("text", new StringType(race[1]));
		patient.addExtension(raceExtension);
		Extension ethnicity = new Extension(US_CORE + "us-core-ethnicity");
		boolean hispanic = index % 4 == 1;
		ethnicity.addExtension("ombCategory", new Coding("urn:oid:2.16.840.1.113883.6.238",
				hispanic ? "2135-2" : "2186-5", hispanic ? "Hispanic or Latino" : "Not Hispanic or Latino"));
		ethnicity.addExtension("text", new StringType(hispanic ? "Hispanic or Latino" : "Not Hispanic or Latino"));
		patient.addExtension(ethnicity);
		patient.addExtension(US_CORE + "us-core-birthsex", new CodeType(female ? "F" : "M"));
		patient.addIdentifier()
				.setType(concept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical Record Number"))
				.setSystem("http://ehr.sample.example.org/mrn")
				.setValue("MRN" + (100_000 + index));
		patient.setActive(true);
		HumanName name = new HumanName().setUse(HumanName.NameUse.OFFICIAL).setFamily("Sample" + index).addGiven(given);
		if (index % 5 == 0) {
			// An extension on one element of a repeating primitive (_given).
			name.getGiven().get(0).addExtension(
					"http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier", new CodeType("CL"));
		}
		patient.addName(name);
		patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("555-030-" + (1000 + index % 9000))
				.setUse(ContactPoint.ContactPointUse.HOME);
		patient.setGender(female ? Enumerations.AdministrativeGender.FEMALE : Enumerations.AdministrativeGender.MALE);
		LocalDate birth = LocalDate.of(1940 + index % 60, 1 + index % 12, 1 + index % 28);
		DateType birthDate = new DateType(birth.toString());
		// The time of birth, on the birthDate primitive (_birthDate).
		birthDate.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthTime",
				new DateTimeType(birth + "T" + String.format("%02d:%02d:00Z", index % 24, index % 60)));
		patient.setBirthDateElement(birthDate);
		patient.setDeceased(new BooleanType(false));
		Address home = address(index, index % 3 == 0 ? "Springfield" : "Worcester");
		Extension geolocation = new Extension("http://hl7.org/fhir/StructureDefinition/geolocation");
		geolocation.addExtension("latitude", new DecimalType(new BigDecimal("42.2" + (index % 90 + 10))));
		geolocation.addExtension("longitude", new DecimalType(new BigDecimal("-71.8" + (index % 90 + 10))));
		home.addExtension(geolocation);
		patient.addAddress(home);
		patient.addCommunication().setLanguage(concept("urn:ietf:bcp:47", "en-US", "English (United States)"));
		patient.setManagingOrganization(new Reference("Organization/org" + (1 + index % ORGANIZATIONS)));
		patient.addGeneralPractitioner(new Reference("Practitioner/prac" + (1 + index % PRACTITIONERS)));
		return patient;
	}

	private static Observation observation(String id, String[] vital, Random random, Date start, Date end, int variant) {
		Observation observation = new Observation();
		observation.setId(id);
		boolean lab = vital[3].equals("us-core-observation-lab");
		if (lab) {
			profile(observation, vital[3]);
		} else if (vital[3].equals("us-core-vital-signs")) {
			profile(observation, vital[3], "http://hl7.org/fhir/StructureDefinition/vitalsigns");
		} else {
			// The specific profile and the generic one, not in alphabetical order.
			profile(observation, vital[3], US_CORE + "us-core-vital-signs", "http://hl7.org/fhir/StructureDefinition/vitalsigns");
		}
		if (variant % 2 == 0) {
			// Tags out of alphabetical order, one with a version and userSelected.
			tag(observation, TAGS, "reviewed", "Reviewed by a clinician");
			observation.getMeta().addTag(new Coding(
					"http://ehr.sample.example.org/fhir/device-tags", "device-import", "Imported from a device")
					.setVersion("2.1").setUserSelected(variant % 4 == 0));
		}
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.addCategory(lab
				? concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
				: concept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs"));
		observation.setCode(concept("http://loinc.org", vital[0], vital[1]));
		if (lab) {
			// (vital signs need a dateTime: vs-1)
			observation.setEffective(new Period().setStart(start).setEnd(end));
		} else {
			observation.setEffective(new DateTimeType(start));
		}
		observation.setIssuedElement(new InstantType(end));
		BigDecimal typical = new BigDecimal(vital[4]);
		BigDecimal value = typical.add(BigDecimal.valueOf(random.nextInt(2 * Integer.parseInt(vital[5]) + 1)
				- Integer.parseInt(vital[5]))).setScale(typical.scale());
		observation.setValue(new Quantity()
				.setValue(value)
				.setUnit(vital[2])
				.setSystem("http://unitsofmeasure.org")
				.setCode(vital[2]));
		if (lab) {
			observation.addInterpretation(concept(
					"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal"));
			observation.addReferenceRange()
					.setLow(new Quantity().setValue(70).setUnit("mg/dL").setSystem("http://unitsofmeasure.org").setCode("mg/dL"))
					.setHigh(new Quantity().setValue(99).setUnit("mg/dL").setSystem("http://unitsofmeasure.org").setCode("mg/dL"));
		}
		return observation;
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
		// Most Provenance declares US Core's profile; the one-target Provenance of Observations does not.
		if (!id.startsWith("prov-obs-")) {
			profile(provenance, "us-core-provenance");
		}
		for (String target : targets) {
			provenance.addTarget(new Reference(target));
		}
		provenance.setRecorded(new Date(1_700_000_000_000L));
		provenance.addAgent()
				.setType(concept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author"))
				.setWho(agent);
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

	/** US Core profiles by name, other profiles by their full canonical URL. */
	private static void profile(Resource resource, String... profiles) {
		for (String profile : profiles) {
			resource.getMeta().addProfile(profile.startsWith("http") ? profile : US_CORE + profile);
		}
	}

	private static void tag(Resource resource, String system, String code, String display) {
		resource.getMeta().addTag(system, code, display);
	}

	private static Narrative narrative(String text) {
		Narrative narrative = new Narrative();
		narrative.setStatus(Narrative.NarrativeStatus.GENERATED);
		narrative.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>"
				+ text.replace("&", "&amp;").replace("<", "&lt;") + "</p></div>");
		return narrative;
	}

	private static Address address(int number, String city) {
		return new Address()
				.setUse(Address.AddressUse.HOME)
				.addLine((100 + number % 800) + " Main Street")
				.setCity(city)
				.setState("MA")
				.setPostalCode(String.format("01%03d", number % 1000))
				.setCountry("US");
	}

	private static Bundle transaction() {
		Bundle bundle = new Bundle();
		bundle.setType(Bundle.BundleType.TRANSACTION);
		return bundle;
	}

	/** Every resource claims the sample EHR as its source. */
	private static void put(Bundle bundle, Resource resource) {
		if (resource instanceof DomainResource && !(resource instanceof Group)) {
			resource.getMeta().setSource(SOURCE);
		}
		String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		bundle.addEntry()
				.setFullUrl(url)
				.setResource(resource)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(url);
	}

	private static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept().addCoding(new Coding(system, code, display)).setText(display);
	}

	private static String day(Date date) {
		return date.toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString();
	}

	private static Date date(LocalDate date) {
		return Date.from(date.atStartOfDay().toInstant(ZoneOffset.UTC));
	}
}
