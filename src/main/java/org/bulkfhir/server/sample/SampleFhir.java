package org.bulkfhir.server.sample;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;

/** The building blocks every sample resource shares: meta (profiles, tags, source), narrative, codes, dates, Provenance. */
final class SampleFhir {

	/** Where the sample's records claim to come from ({@code meta.source}). */
	static final String SOURCE = "http://ehr.sample.example.org/fhir";
	static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";
	static final String TAGS = "http://ehr.sample.example.org/fhir/tags";
	static final String CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
	static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	static final String META_EXTENSION = "http://ehr.sample.example.org/fhir/StructureDefinition/last-reconciled";

	private SampleFhir() {}

	static void clinical(Bundle bundle, Resource resource, Reference agent) {
		put(bundle, resource);
		String id = resource.getIdElement().getIdPart();
		put(bundle, provenance("prov-" + id, agent, resource.fhirType() + "/" + id));
	}

	/** US Core profiles by name, other profiles by their full canonical URL. */
	static void profile(Resource resource, String... profiles) {
		for (String profile : profiles) {
			resource.getMeta().addProfile(profile.startsWith("http") ? profile : US_CORE + profile);
		}
	}

	static void tag(Resource resource, String system, String code, String display) {
		resource.getMeta().addTag(system, code, display);
	}

	static Narrative narrative(String text) {
		Narrative narrative = new Narrative();
		narrative.setStatus(Narrative.NarrativeStatus.GENERATED);
		narrative.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>"
				+ text.replace("&", "&amp;").replace("<", "&lt;") + "</p></div>");
		return narrative;
	}

	static Address address(int number, String city) {
		return new Address()
				.setUse(Address.AddressUse.HOME)
				.addLine((100 + number % 800) + " Main Street")
				.setCity(city)
				.setState("MA")
				.setPostalCode(String.format("01%03d", number % 1000))
				.setCountry("US");
	}

	static Bundle transaction() {
		Bundle bundle = new Bundle();
		bundle.setType(Bundle.BundleType.TRANSACTION);
		return bundle;
	}

	/** Every resource claims the sample EHR as its source. */
	static void put(Bundle bundle, Resource resource) {
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

	static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept().addCoding(new Coding(system, code, display)).setText(display);
	}

	static String day(Date date) {
		return date.toInstant().atOffset(ZoneOffset.UTC).toLocalDate().toString();
	}

	static Date date(LocalDate date) {
		return Date.from(date.atStartOfDay().toInstant(ZoneOffset.UTC));
	}

	static Provenance provenance(String id, Reference agent, String... targets) {
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
}
