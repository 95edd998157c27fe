package org.bulkfhir.output;

import org.bulkfhir.storage.ExportFileStore;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes NDJSON lines of one resource type into as many files as the count and byte limits need.
 * A file is opened only when its first line arrives, so no file is ever empty, and it is published
 * by the store only when closed.
 */
public class NdjsonRollingWriter implements Closeable {

	private final NdjsonFileSequence files;
	private final int maxResources;
	private final long maxBytes;

	public NdjsonRollingWriter(
			ExportFileStore store, String jobId, String resourceType, String namePrefix, int maxResources, long maxBytes) {
		this.files = new NdjsonFileSequence(store, jobId, resourceType, namePrefix);
		this.maxResources = Math.max(1, maxResources);
		this.maxBytes = Math.max(1, maxBytes);
	}

	public void write(String jsonLine) throws IOException {
		byte[] bytes = jsonLine.getBytes(StandardCharsets.UTF_8);
		if (files.isOpen() && (files.lines() >= maxResources || files.bytes() + bytes.length + 1 > maxBytes)) {
			files.close(null);
		}
		if (!files.isOpen()) {
			files.open();
		}
		files.writeLine(bytes);
	}

	/** The files published so far (all of them once closed). */
	public List<ExportedFile> files() {
		return files.published();
	}

	@Override
	public void close() throws IOException {
		files.close(null);
	}
}
