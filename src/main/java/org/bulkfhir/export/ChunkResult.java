package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one work chunk wrote, handed to the manifest step. */
public class ChunkResult implements IModelJson {

	/** The sequence of the work chunk this result came from; a chunk run twice is counted once. */
	@JsonProperty("sequence")
	private int sequence;

	@JsonProperty("files")
	private List<ExportedFile> files = new ArrayList<>();

	@JsonProperty("errorFiles")
	private List<ExportedFile> errorFiles = new ArrayList<>();

	/** Resources of this chunk that HAPI had to read because their stored form could not be spliced. */
	@JsonProperty("readByHapi")
	private long readByHapi;

	/** Referenced resources (Practitioner, Organization, ...) to export once for the whole job. */
	@JsonProperty("referencedPids")
	private Map<String, List<Long>> referencedPids = new LinkedHashMap<>();

	/** Provenance that also targets other chunks' resources: written once, by the manifest step. */
	@JsonProperty("sharedProvenancePids")
	private List<Long> sharedProvenancePids = new ArrayList<>();

	/**
	 * organizeOutputBy=Patient: for each resource handed to the manifest step (referenced, in several
	 * compartments, shared Provenance), the patient of this chunk whose block led to it. The manifest step
	 * writes it in a block of the lowest such patient of all chunks.
	 */
	@JsonProperty("blockOwners")
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
	private Map<Long, Long> blockOwners = new LinkedHashMap<>();

	public Map<Long, Long> getBlockOwners() {
		return blockOwners;
	}

	public int getSequence() {
		return sequence;
	}

	public void setSequence(int sequence) {
		this.sequence = sequence;
	}

	public List<ExportedFile> getFiles() {
		return files;
	}

	public List<ExportedFile> getErrorFiles() {
		return errorFiles;
	}

	public long getReadByHapi() {
		return readByHapi;
	}

	public void setReadByHapi(long readByHapi) {
		this.readByHapi = readByHapi;
	}

	public Map<String, List<Long>> getReferencedPids() {
		return referencedPids;
	}

	/**
	 * Reads {@code referencedPids}; results of releases before {@link #sharedProvenancePids} (a
	 * chunk written before a rolling upgrade) carried the shared Provenance under the key
	 * {@code "Provenance"} there.
	 */
	@JsonSetter("referencedPids")
	void readReferencedPids(Map<String, List<Long>> pids) {
		referencedPids = pids == null ? new LinkedHashMap<>() : new LinkedHashMap<>(pids);
		List<Long> legacy = referencedPids.remove("Provenance");
		if (legacy != null) {
			sharedProvenancePids.addAll(legacy);
		}
	}

	public List<Long> getSharedProvenancePids() {
		return sharedProvenancePids;
	}
}
