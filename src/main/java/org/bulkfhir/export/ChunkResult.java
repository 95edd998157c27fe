package org.bulkfhir.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

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
}
