package org.bulkfhir.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.bulkfhir.output.ExportedFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one work chunk wrote, handed to the manifest step (stored by batch2 as JSON between the steps).
 *
 * @param sequence the sequence of the work chunk this result came from; a chunk run twice is counted once
 * @param files the NDJSON files it wrote
 * @param errorFiles the OperationOutcome files it wrote
 * @param readByHapi resources of this chunk that HAPI had to read because their stored form could not be spliced
 * @param referencedPids referenced resources (Practitioner, Organization, ...) and resources that may be
 *     in several patients' compartments, by type: the manifest step writes each once for the whole job
 * @param sharedProvenancePids Provenance that also targets other chunks' resources: written once, by the
 *     manifest step
 * @param blockOwners organizeOutputBy=Patient: for each resource handed on (referenced, in several
 *     compartments, shared Provenance), the patient of this chunk whose block led to it; the manifest step
 *     writes it in a block of the lowest such patient of all chunks
 */
public record ChunkResult(
		@JsonProperty("sequence") int sequence,
		@JsonProperty("files") List<ExportedFile> files,
		@JsonProperty("errorFiles") List<ExportedFile> errorFiles,
		@JsonProperty("readByHapi") long readByHapi,
		@JsonProperty("referencedPids") Map<String, List<Long>> referencedPids,
		@JsonProperty("sharedProvenancePids") List<Long> sharedProvenancePids,
		@JsonProperty("blockOwners") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<Long, Long> blockOwners)
		implements IModelJson {

	/**
	 * Missing collections read as empty. Results of releases before {@code sharedProvenancePids} (a chunk
	 * written before a rolling upgrade) carried the shared Provenance under the key {@code "Provenance"} of
	 * {@code referencedPids}: it is moved to where it belongs.
	 */
	public ChunkResult {
		files = files == null ? List.of() : List.copyOf(files);
		errorFiles = errorFiles == null ? List.of() : List.copyOf(errorFiles);
		Map<String, List<Long>> referenced = new LinkedHashMap<>();
		if (referencedPids != null) {
			referencedPids.forEach((type, pids) -> referenced.put(type, List.copyOf(pids)));
		}
		List<Long> shared = new ArrayList<>(sharedProvenancePids == null ? List.of() : sharedProvenancePids);
		List<Long> legacy = referenced.remove("Provenance");
		if (legacy != null) {
			shared.addAll(legacy);
		}
		referencedPids = java.util.Collections.unmodifiableMap(referenced);
		sharedProvenancePids = List.copyOf(shared);
		blockOwners = blockOwners == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blockOwners));
	}

	/** What a chunk hands on to the manifest step, gathered while it writes. */
	static final class HandedOn {
		final Map<String, List<Long>> referencedPids = new LinkedHashMap<>();
		final List<Long> sharedProvenancePids = new ArrayList<>();
		final Map<Long, Long> blockOwners = new LinkedHashMap<>();

		void reference(String type, Long pid) {
			referencedPids.computeIfAbsent(type, t -> new ArrayList<>()).add(pid);
		}

		ChunkResult result(int sequence, List<ExportedFile> files, List<ExportedFile> errorFiles, long readByHapi) {
			return new ChunkResult(sequence, files, errorFiles, readByHapi, referencedPids, sharedProvenancePids, blockOwners);
		}
	}
}
