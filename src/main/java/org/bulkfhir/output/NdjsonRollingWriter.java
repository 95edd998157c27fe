package org.bulkfhir.output;

import org.bulkfhir.storage.ExportFileStore;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes NDJSON lines of one resource type into as many files as the count and byte limits need.
 * A file is opened only when its first line arrives, so no file is ever empty, and it is published
 * by the store only when closed.
 */
public class NdjsonRollingWriter implements Closeable {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final ExportFileStore store;
	private final String jobId;
	private final String resourceType;
	private final String namePrefix;
	private final int maxResources;
	private final long maxBytes;
	private final List<ExportedFile> written = new ArrayList<>();

	private OutputStream current;
	private String currentName;
	private long currentCount;
	private long currentBytes;
	private int part;

	public NdjsonRollingWriter(
			ExportFileStore store, String jobId, String resourceType, String namePrefix, int maxResources, long maxBytes) {
		this.store = store;
		this.jobId = jobId;
		this.resourceType = resourceType;
		this.namePrefix = namePrefix;
		this.maxResources = Math.max(1, maxResources);
		this.maxBytes = Math.max(1, maxBytes);
	}

	public void write(String jsonLine) throws IOException {
		byte[] bytes = jsonLine.getBytes(StandardCharsets.UTF_8);
		if (current != null && (currentCount >= maxResources || currentBytes + bytes.length + 1 > maxBytes)) {
			closeCurrent();
		}
		if (current == null) {
			currentName = namePrefix + "-" + (++part) + "-" + randomToken() + ".ndjson";
			current = new BufferedOutputStream(store.create(jobId, currentName), 1 << 16);
		}
		current.write(bytes);
		current.write('\n');
		currentCount++;
		currentBytes += bytes.length + 1;
	}

	/** The files published so far (all of them once closed). */
	public List<ExportedFile> files() {
		return written;
	}

	@Override
	public void close() throws IOException {
		closeCurrent();
	}

	private void closeCurrent() throws IOException {
		if (current == null) {
			return;
		}
		current.close();
		written.add(new ExportedFile(resourceType, currentName, currentCount, currentBytes));
		current = null;
		currentCount = 0;
		currentBytes = 0;
	}

	/** 128 random bits: file URLs cannot be guessed from job ids or from each other. */
	static String randomToken() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}
}
