package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/** The finished job's result, stored by batch2 as the instance report; the manifest is built from it. */
public class ExportReport implements IModelJson {

	@JsonProperty("files")
	private List<ExportedFile> files = new ArrayList<>();

	@JsonProperty("errorFiles")
	private List<ExportedFile> errorFiles = new ArrayList<>();

	/** The {@code deleted} files of an incremental ({@code _since}) export: Bundles of DELETE entries. */
	@JsonProperty("deletedFiles")
	private List<ExportedFile> deletedFiles = new ArrayList<>();

	@JsonProperty("completedAt")
	private long completedAt;

	/**
	 * When the files expire (epoch millis), fixed at completion by {@link ExpiryStamp}; null in
	 * reports of releases before it (their expiry is computed from the current setting).
	 */
	@JsonProperty("expiresAt")
	private Long expiresAt;

	/**
	 * Resources HAPI had to read because their stored form could not be spliced (compressed or external
	 * bodies, a meta kept in the stored text); the others were written from the stored text.
	 */
	@JsonProperty("readByHapi")
	private long readByHapi;

	public List<ExportedFile> getFiles() {
		return files;
	}

	public List<ExportedFile> getErrorFiles() {
		return errorFiles;
	}

	public List<ExportedFile> getDeletedFiles() {
		return deletedFiles;
	}

	public long getCompletedAt() {
		return completedAt;
	}

	public void setCompletedAt(long completedAt) {
		this.completedAt = completedAt;
	}

	public Long getExpiresAt() {
		return expiresAt;
	}

	public void setExpiresAt(Long expiresAt) {
		this.expiresAt = expiresAt;
	}

	/** The stored expiry, or for a report without one its completion time plus {@code expiry}. */
	public java.time.Instant expiresAt(java.time.Duration expiry) {
		return expiresAt != null
				? java.time.Instant.ofEpochMilli(expiresAt)
				: java.time.Instant.ofEpochMilli(completedAt).plus(expiry);
	}

	public long getReadByHapi() {
		return readByHapi;
	}

	public void setReadByHapi(long readByHapi) {
		this.readByHapi = readByHapi;
	}

	public long totalResources() {
		return files.stream().mapToLong(ExportedFile::getCount).sum();
	}
}
