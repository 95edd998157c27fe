package org.bulkfhir.export;

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

	@JsonProperty("completedAt")
	private long completedAt;

	public List<ExportedFile> getFiles() {
		return files;
	}

	public List<ExportedFile> getErrorFiles() {
		return errorFiles;
	}

	public long getCompletedAt() {
		return completedAt;
	}

	public void setCompletedAt(long completedAt) {
		this.completedAt = completedAt;
	}

	public long totalResources() {
		return files.stream().mapToLong(ExportedFile::getCount).sum();
	}
}
