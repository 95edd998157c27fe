package org.bulkfhir.output;

import org.bulkfhir.storage.ExportFileStore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The NDJSON files one writer publishes one after the other, {@code <prefix>-<part>-<random>.ndjson},
 * one open at a time: the open file's lines and bytes, and the files published so far. A file is
 * published by the store only when closed. The writers decide when to roll over.
 */
final class NdjsonFileSequence {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final ExportFileStore store;
	private final String jobId;
	/** The files' type; null for files holding every type (patient blocks). */
	private final String resourceType;
	private final String namePrefix;
	private final List<ExportedFile> published = new ArrayList<>();

	private OutputStream current;
	private String currentName;
	private long lines;
	private long bytes;
	private int part;

	NdjsonFileSequence(ExportFileStore store, String jobId, String resourceType, String namePrefix) {
		this.store = store;
		this.jobId = jobId;
		this.resourceType = resourceType;
		this.namePrefix = namePrefix;
	}

	boolean isOpen() {
		return current != null;
	}

	/** Lines written to the open file. */
	long lines() {
		return lines;
	}

	/** Bytes written to the open file, newlines included. */
	long bytes() {
		return bytes;
	}

	/** The name the next file will have (the same when asked again before it is opened but for its random part). */
	String nextName() {
		return namePrefix + "-" + (part + 1) + "-" + randomToken() + ".ndjson";
	}

	void open() throws IOException {
		openAs(nextName());
	}

	void openAs(String name) throws IOException {
		part++;
		currentName = name;
		current = new BufferedOutputStream(store.create(jobId, currentName), 1 << 16);
	}

	void writeLine(byte[] line) throws IOException {
		current.write(line);
		current.write('\n');
		lines++;
		bytes += line.length + 1;
	}

	/** Closes and publishes the open file, if any; {@code continuesInFile} names the file its last block goes on in. */
	void close(String continuesInFile) throws IOException {
		if (current == null) {
			return;
		}
		current.close();
		ExportedFile file = new ExportedFile(resourceType, currentName, lines, bytes);
		published.add(continuesInFile == null ? file : file.continuingIn(continuesInFile));
		current = null;
		lines = 0;
		bytes = 0;
	}

	/** The files published so far (all of them once closed). */
	List<ExportedFile> published() {
		return published;
	}

	/** 128 random bits: file URLs cannot be guessed from job ids or from each other. */
	static String randomToken() {
		byte[] random = new byte[16];
		RANDOM.nextBytes(random);
		return HexFormat.of().formatHex(random);
	}
}
