package org.bulkfhir.export;

import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.read.Snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * organizeOutputBy=Patient, the manifest step's share: the resources the chunks handed on (in several
 * patients' compartments, referenced Practitioners, Organizations..., Provenance of several resources)
 * are written once each, in a block of the patient that led to them (of the chunks' patients, the one
 * with the lowest internal id): the IG lets resources that do not reference the Patient go "in resource
 * blocks that contain resources they reference". The header is repeated, so such a patient has a second,
 * short block in the export's last files. What these resources reference in turn, and their Provenance,
 * go into the same block unless another block already has them.
 */
final class ManifestBlocks {

	private final ExportQueries queries;
	private final IncludedResources included;

	ManifestBlocks(ExportQueries queries, IncludedResources included) {
		this.queries = queries;
		this.included = included;
	}

	void write(
			ExportJobParameters params,
			Map<String, TreeSet<Long>> referenced,
			TreeSet<Long> sharedProvenance,
			Map<Long, Long> owners,
			Supplier<Snapshot.View> views,
			ChunkFileWriters writers) {
		Map<Long, Long> owner = new java.util.HashMap<>(owners);
		Long fallback = owners.values().stream().min(Long::compare).orElse(null);
		// Without any owner (no chunk noted one: nothing was handed on) there is nothing to write.
		if (fallback == null) {
			return;
		}
		TreeMap<Long, Map<String, TreeSet<Long>>> resources = new TreeMap<>();
		TreeMap<Long, TreeSet<Long>> provenanceOf = new TreeMap<>();
		referenced.forEach((type, pids) -> pids.forEach(pid -> {
			Long patient = owner.computeIfAbsent(pid, p -> fallback);
			resources.computeIfAbsent(patient, p -> new TreeMap<>()).computeIfAbsent(type, t -> new TreeSet<>()).add(pid);
		}));
		sharedProvenance.forEach(pid ->
				provenanceOf.computeIfAbsent(owner.computeIfAbsent(pid, p -> fallback), p -> new TreeSet<>()).add(pid));
		TreeSet<Long> patients = new TreeSet<>(resources.keySet());
		patients.addAll(provenanceOf.keySet());
		Map<Long, String> ids = queries.fhirIds(patients);
		List<String> referencedTypes = PatientCompartment.REFERENCED_TYPES.stream()
				.filter(params.getScanTypes()::contains)
				.toList();
		Set<Long> provenanceWritten = new HashSet<>();
		for (Long patient : patients) {
			writers.beginBlock(ids.get(patient));
			Map<String, TreeSet<Long>> mine = resources.getOrDefault(patient, new TreeMap<>());
			TreeSet<Long> provenanceHere = provenanceOf.getOrDefault(patient, new TreeSet<>());
			// First the compartment resources, then what they and the chunks referenced.
			for (String type : new ArrayList<>(mine.keySet())) {
				if (PatientCompartment.REFERENCED_TYPES.contains(type)) {
					continue;
				}
				List<Long> covered = included.write(type, mine.get(type), params, views, writers, provenanceHere);
				WriteStep.referencedAtSnapshot(queries, covered, referencedTypes, views).forEach((t, pids) -> {
					for (Long pid : pids) {
						if (owner.putIfAbsent(pid, patient) == null) {
							mine.computeIfAbsent(t, x -> new TreeSet<>()).add(pid);
						}
					}
				});
			}
			for (Map.Entry<String, TreeSet<Long>> entry : mine.entrySet()) {
				if (PatientCompartment.REFERENCED_TYPES.contains(entry.getKey())) {
					included.write(entry.getKey(), entry.getValue(), params, views, writers, provenanceHere);
				}
			}
			provenanceHere.removeAll(provenanceWritten);
			provenanceWritten.addAll(provenanceHere);
			writers.write(new ArrayList<>(provenanceHere));
		}
	}
}
