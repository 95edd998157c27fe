package org.bulkfhir.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * One unit of export work, handed from the planning step to the writing step. Either a batch of
 * patients (Group and Patient level: their compartments for every requested type) or a pid range
 * of one resource type (system level).
 */
public class ExportWorkChunk implements IModelJson {

	@JsonProperty("sequence")
	private int sequence;

	@JsonProperty("patientPids")
	private List<Long> patientPids = new ArrayList<>();

	/**
	 * Patients who joined the Group after {@code _since}: their whole record is exported, not only what
	 * changed since (IG v2, Group export with {@code _since}).
	 */
	@JsonProperty("joinedSince")
	private boolean joinedSince;

	@JsonProperty("resourceType")
	private String resourceType;

	@JsonProperty("fromPid")
	private Long fromPid;

	@JsonProperty("toPid")
	private Long toPid;

	public static ExportWorkChunk forPatients(int sequence, List<Long> patientPids) {
		ExportWorkChunk chunk = new ExportWorkChunk();
		chunk.sequence = sequence;
		chunk.patientPids = new ArrayList<>(patientPids);
		return chunk;
	}

	public static ExportWorkChunk forPatientsJoinedSince(int sequence, List<Long> patientPids) {
		ExportWorkChunk chunk = forPatients(sequence, patientPids);
		chunk.joinedSince = true;
		return chunk;
	}

	public static ExportWorkChunk forTypeRange(int sequence, String resourceType, long fromPid, long toPid) {
		ExportWorkChunk chunk = new ExportWorkChunk();
		chunk.sequence = sequence;
		chunk.resourceType = resourceType;
		chunk.fromPid = fromPid;
		chunk.toPid = toPid;
		return chunk;
	}

	public boolean isTypeRange() {
		return resourceType != null;
	}

	/** The lastUpdated window this chunk exports: the export's, without {@code _since} for patients joined since. */
	public org.bulkfhir.read.UpdatedWindow window(ExportJobParameters params) {
		return window(params, joinedSince);
	}

	static org.bulkfhir.read.UpdatedWindow window(ExportJobParameters params, boolean joinedSince) {
		return joinedSince
				? new org.bulkfhir.read.UpdatedWindow(null, params.effectiveUntil(), params.getTransactionTime())
				: params.updatedWindow();
	}

	public boolean isJoinedSince() {
		return joinedSince;
	}

	public int getSequence() {
		return sequence;
	}

	public List<Long> getPatientPids() {
		return patientPids;
	}

	public String getResourceType() {
		return resourceType;
	}

	public Long getFromPid() {
		return fromPid;
	}

	public Long getToPid() {
		return toPid;
	}
}
