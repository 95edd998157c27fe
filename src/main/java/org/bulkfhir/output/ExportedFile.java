package org.bulkfhir.output;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One published NDJSON file of a job. */
public class ExportedFile implements IModelJson {

	@JsonProperty("type")
	private String type;

	@JsonProperty("name")
	private String name;

	@JsonProperty("count")
	private long count;

	@JsonProperty("bytes")
	private long bytes;

	/**
	 * organizeOutputBy: the name of the file in which the last block of this one continues (the block's
	 * header repeated at its start); null when the file ends with the end of a block. The {@code type} of
	 * such files is null: they hold every type.
	 */
	@JsonProperty("continuesInFile")
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
	private String continuesInFile;

	public ExportedFile() {}

	public ExportedFile(String type, String name, long count, long bytes) {
		this.type = type;
		this.name = name;
		this.count = count;
		this.bytes = bytes;
	}

	public ExportedFile continuingIn(String nextFileName) {
		ExportedFile file = new ExportedFile(type, name, count, bytes);
		file.continuesInFile = nextFileName;
		return file;
	}

	public String getContinuesInFile() {
		return continuesInFile;
	}

	public String getType() {
		return type;
	}

	public String getName() {
		return name;
	}

	public long getCount() {
		return count;
	}

	public long getBytes() {
		return bytes;
	}
}
