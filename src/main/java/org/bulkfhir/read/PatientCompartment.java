package org.bulkfhir.read;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which resource types are in the Patient compartment, and the reference paths (as HAPI indexes
 * them in {@code HFJ_RES_LINK.SRC_PATH}) that put a resource into a patient's compartment.
 */
public class PatientCompartment {

	/**
	 * Not exported through compartment membership. Group and List would reveal other patients'
	 * membership (HAPI leaves them out too); Patient is the members themselves; Provenance follows
	 * its own all-or-nothing rule.
	 */
	private static final Set<String> EXCLUDED = Set.of("Group", "List", "Patient", "Provenance");

	/** Exported when the members' data references them (not compartment members themselves). */
	public static final List<String> REFERENCED_TYPES =
			List.of("Practitioner", "PractitionerRole", "Organization", "Location", "Medication");

	private final Set<String> types = new TreeSet<>();
	private final Map<String, String> typeByPath = new HashMap<>();
	/** Types whose compartment paths can reference at most one Patient: one path, to a single reference. */
	private final Set<String> onePatientAtMost = new TreeSet<>();

	public PatientCompartment(FhirContext fhirContext) {
		for (String type : fhirContext.getResourceTypes()) {
			RuntimeResourceDefinition definition = fhirContext.getResourceDefinition(type);
			List<RuntimeSearchParam> params = definition.getSearchParamsForCompartmentName("Patient");
			if (params.isEmpty() || EXCLUDED.contains(type)) {
				continue;
			}
			types.add(type);
			if (atMostOneReference(definition, params)) {
				onePatientAtMost.add(type);
			}
			for (RuntimeSearchParam param : params) {
				for (String path : param.getPath().split("\\|")) {
					String trimmed = path.trim();
					if (trimmed.isEmpty()) {
						continue;
					}
					typeByPath.put(trimmed, type);
					int where = trimmed.indexOf(".where(");
					if (where > 0) {
						typeByPath.put(trimmed.substring(0, where), type);
					}
					if (trimmed.startsWith("(") && trimmed.endsWith(")")) {
						typeByPath.put(trimmed.substring(1, trimmed.length() - 1), type);
					}
				}
			}
		}
	}

	/** One compartment path, {@code Type.element}, whose element holds at most one reference. */
	private static boolean atMostOneReference(RuntimeResourceDefinition definition, List<RuntimeSearchParam> params) {
		if (params.size() != 1) {
			return false;
		}
		String[] paths = params.get(0).getPath().split("\\|");
		if (paths.length != 1) {
			return false;
		}
		String path = paths[0].trim();
		int where = path.indexOf(".where(");
		if (where > 0) {
			path = path.substring(0, where);
		}
		String[] parts = path.split("\\.");
		if (parts.length != 2 || !parts[0].equals(definition.getName())) {
			return false;
		}
		BaseRuntimeChildDefinition child = definition.getChildByName(parts[1]);
		return child != null && child.getMax() == 1;
	}

	/**
	 * Whether a resource of this type can be in more than one Patient's compartment. Those that cannot
	 * (an Encounter's only path is its single {@code subject}) need no check for being shared.
	 */
	public boolean maySpanPatients(String type) {
		return !onePatientAtMost.contains(type);
	}

	public boolean contains(String type) {
		return types.contains(type);
	}

	public Set<String> types() {
		return types;
	}

	/**
	 * The compartment type whose membership a reference path ({@code HFJ_RES_LINK.SRC_PATH}) gives,
	 * or null when the path does not put its source into a patient's compartment.
	 */
	public String typeOfPath(String path) {
		return typeByPath.get(path);
	}

	/** The types a Group or Patient export offers: Patient, its compartment, and the referenced types. */
	public Set<String> patientLevelTypes() {
		Set<String> all = new TreeSet<>(types);
		all.add("Patient");
		all.addAll(REFERENCED_TYPES);
		return all;
	}
}
