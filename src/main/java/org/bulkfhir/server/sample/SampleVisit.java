package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.Age;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Timing;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Date;
import java.util.Random;

import static org.bulkfhir.server.sample.SampleData.ORGANIZATIONS;
import static org.bulkfhir.server.sample.SampleData.PRACTITIONERS;
import static org.bulkfhir.server.sample.SampleData.LOCATIONS;
import static org.bulkfhir.server.sample.SampleData.MEDICATIONS;
import static org.bulkfhir.server.sample.SampleFhir.*;

/**
 * One encounter of a sample patient and what it produced: the Encounter, a lab DiagnosticReport with
 * three Observations, a Condition, a Procedure and a MedicationRequest, each with its Provenance. The
 * draws from {@code random} happen in a fixed order, so the same patient always gets the same record.
 */
final class SampleVisit {

	/** LOINC code, display, UCUM unit, US Core profile, typical value and spread. */
	private static final String[][] VITALS = {
		{"8867-4", "Heart rate", "/min", "us-core-heart-rate", "72", "20"},
		{"8480-6", "Systolic blood pressure", "mm[Hg]", "us-core-vital-signs", "120", "30"},
		{"29463-7", "Body weight", "kg", "us-core-body-weight", "78.4", "25"},
		{"8310-5", "Body temperature", "Cel", "us-core-body-temperature", "36.8", "1"},
		{"2339-0", "Glucose", "mg/dL", "us-core-observation-lab", "95", "40"}
	};

	private SampleVisit() {}

	static void add(Bundle bundle, int index, int e, Random random, String pid, Reference patientRef) {
		String suffix = pid + "-" + e;
		Reference practitioner = new Reference("Practitioner/prac" + (1 + random.nextInt(PRACTITIONERS)));
		Date start = date(LocalDate.of(2015 + e % 10, 1 + random.nextInt(12), 1 + random.nextInt(28)));
		Date end = new Date(start.getTime() + (20 + random.nextInt(70)) * 60_000L);

		Reference encounterRef = encounter(bundle, suffix, practitioner, start, end, random, patientRef);
		diagnosticReport(bundle, index, e, suffix, practitioner, start, end, random, patientRef, encounterRef);
		condition(bundle, index, e, suffix, practitioner, start, end, patientRef, encounterRef);
		procedure(bundle, e, suffix, practitioner, start, end, patientRef, encounterRef);
		medicationRequest(bundle, e, suffix, practitioner, start, random, patientRef, encounterRef);
	}

	private static Reference encounter(Bundle bundle, String suffix, Reference practitioner, Date start, Date end,
			Random random, Reference patientRef) {
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
		return new Reference("Encounter/" + encounter.getIdElement().getIdPart());
	}

	private static void diagnosticReport(Bundle bundle, int index, int e, String suffix, Reference practitioner,
			Date start, Date end, Random random, Reference patientRef, Reference encounterRef) {
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
	}

	private static void condition(Bundle bundle, int index, int e, String suffix, Reference practitioner,
			Date start, Date end, Reference patientRef, Reference encounterRef) {
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
	}

	private static void procedure(Bundle bundle, int e, String suffix, Reference practitioner, Date start, Date end,
			Reference patientRef, Reference encounterRef) {
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
	}

	private static void medicationRequest(Bundle bundle, int e, String suffix, Reference practitioner, Date start,
			Random random, Reference patientRef, Reference encounterRef) {
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
}
