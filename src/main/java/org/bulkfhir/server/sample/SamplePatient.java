package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import java.math.BigDecimal;
import java.time.LocalDate;

import static org.bulkfhir.server.sample.SampleFhir.*;

/** A sample Patient as a US EHR records one: US Core extensions, identifiers, narrative, extensions on primitives. */
final class SamplePatient {

	private static final String[][] RACES = {
		{"2106-3", "White"}, {"2054-5", "Black or African American"}, {"2028-9", "Asian"},
		{"1002-5", "American Indian or Alaska Native"}, {"2076-8", "Native Hawaiian or Other Pacific Islander"}
	};

	private SamplePatient() {}

	static Patient of(int index) {
		String pid = SampleData.patientId(index);
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
		patient.setManagingOrganization(new Reference("Organization/org" + (1 + index % SampleData.ORGANIZATIONS)));
		patient.addGeneralPractitioner(new Reference("Practitioner/prac" + (1 + index % SampleData.PRACTITIONERS)));
		return patient;
	}
}
