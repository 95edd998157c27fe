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

	public ExportedFile() {}

	public ExportedFile(String type, String name, long count, long bytes) {
		this.type = type;
		this.name = name;
		this.count = count;
		this.bytes = bytes;
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
