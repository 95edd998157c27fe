package org.bulkfhir.support;

import ca.uhn.fhir.util.ResourceReferenceInfo;
import org.bulkfhir.server.sample.SampleData;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What an export of the sample population must contain, computed from the generator itself. */
public final class ExpectedData {

	public static final Set<String> REFERENCED_TYPES =
			Set.of("Practitioner", "PractitionerRole", "Organization", "Location", "Medication");

	private ExpectedData() {}

	/** Ids by type of the given patients' records (Provenance left out), plus what they reference. */
	public static Map<String, Set<String>> forPatients(Collection<Integer> patientIndexes) {
		Map<String, Set<String>> ids = new TreeMap<>();
		for (int index : patientIndexes) {
			for (Bundle.BundleEntryComponent entry :
					SampleData.patient(index, ServerTestBase.ENCOUNTERS).getEntry()) {
				Resource resource = entry.getResource();
				if (resource.fhirType().equals("Provenance")) {
					continue;
				}
				add(ids, resource.fhirType(), resource.getIdElement().getIdPart());
				for (ResourceReferenceInfo ref :
						BulkClient.FHIR.newTerser().getAllResourceReferences(resource)) {
					String type = ref.getResourceReference().getReferenceElement().getResourceType();
					if (REFERENCED_TYPES.contains(type)) {
						add(ids, type, ref.getResourceReference().getReferenceElement().getIdPart());
					}
				}
			}
		}
		return ids;
	}

	/** Every resource loaded by {@link ServerTestBase}, by type. */
	public static Map<String, Set<String>> everything() {
		Map<String, Set<String>> ids = new TreeMap<>();
		for (Bundle.BundleEntryComponent entry : SampleData.sharedResources().getEntry()) {
			add(ids, entry.getResource().fhirType(), entry.getResource().getIdElement().getIdPart());
		}
		for (int i = 0; i < ServerTestBase.PATIENTS; i++) {
			for (Bundle.BundleEntryComponent entry : SampleData.patient(i, ServerTestBase.ENCOUNTERS).getEntry()) {
				add(ids, entry.getResource().fhirType(), entry.getResource().getIdElement().getIdPart());
			}
		}
		add(ids, "Group", "all");
		add(ids, "Group", "small");
		return ids;
	}

	public static Map<String, Integer> counts(Map<String, Set<String>> ids) {
		Map<String, Integer> counts = new TreeMap<>();
		ids.forEach((type, set) -> counts.put(type, set.size()));
		return counts;
	}

	public static List<Integer> range(int fromInclusive, int toExclusive) {
		return java.util.stream.IntStream.range(fromInclusive, toExclusive).boxed().toList();
	}

	private static void add(Map<String, Set<String>> ids, String type, String id) {
		ids.computeIfAbsent(type, t -> new TreeSet<>()).add(id);
	}

	/** Every Provenance of the loaded population that targets one of the given "Type/id" references. */
	public static Set<String> provenanceTargeting(Set<String> exportedRefs) {
		Set<String> ids = new TreeSet<>();
		for (org.hl7.fhir.r4.model.Provenance provenance : allProvenance()) {
			boolean targetsExported = provenance.getTarget().stream()
					.map(t -> t.getReferenceElement().toUnqualifiedVersionless().getValue())
					.anyMatch(exportedRefs::contains);
			if (targetsExported) {
				ids.add(provenance.getIdElement().getIdPart());
			}
		}
		return ids;
	}

	public static List<org.hl7.fhir.r4.model.Provenance> allProvenance() {
		List<org.hl7.fhir.r4.model.Provenance> all = new java.util.ArrayList<>();
		List<Bundle> bundles = new java.util.ArrayList<>();
		bundles.add(SampleData.sharedResources());
		for (int i = 0; i < ServerTestBase.PATIENTS; i++) {
			bundles.add(SampleData.patient(i, ServerTestBase.ENCOUNTERS));
		}
		for (Bundle bundle : bundles) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				if (entry.getResource() instanceof org.hl7.fhir.r4.model.Provenance provenance) {
					all.add(provenance);
				}
			}
		}
		return all;
	}

	/** "Type/id" references of every resource in an id map. */
	public static Set<String> refs(Map<String, Set<String>> ids) {
		Set<String> refs = new TreeSet<>();
		ids.forEach((type, set) -> set.forEach(id -> refs.add(type + "/" + id)));
		return refs;
	}
}
