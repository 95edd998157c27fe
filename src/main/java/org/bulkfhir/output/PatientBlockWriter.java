package org.bulkfhir.output;

import org.bulkfhir.storage.ExportFileStore;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * organizeOutputBy=Patient (Bulk Data STU3, "Bulk Data Output File Organization"): one stream of NDJSON
 * files made of patient blocks, each a header {@code Parameters} with a {@code header} reference to the
 * Patient, then the block's resources of every type. Files roll over at the count and byte limits (the
 * header lines count too); a block cut by a rollover starts the next file with its header again, and the
 * file it left is published with {@code continuesInFile} naming the next one, as the IG asks.
 *
 * <p>A block's header is written with its first resource, so no block is empty and no file ends with a
 * header alone; a file holds at least a header and one resource whatever the limits.
 */
public class PatientBlockWriter implements Closeable {

	private final ExportFileStore store;
	private final String jobId;
	private final String namePrefix;
	private final int maxResources;
	private final long maxBytes;
	private final List<ExportedFile> written = new ArrayList<>();

	private OutputStream current;
	private String currentName;
	private long currentCount;
	private long currentBytes;
	/** Lines of the current file that are resources, not headers. */
	private long currentResources;
	private int part;
	private byte[] blockHeader;
	private boolean blockStarted;

	public PatientBlockWriter(ExportFileStore store, String jobId, String namePrefix, int maxResources, long maxBytes) {
		this.store = store;
		this.jobId = jobId;
		this.namePrefix = namePrefix;
		this.maxResources = Math.max(1, maxResources);
		this.maxBytes = Math.max(1, maxBytes);
	}

	/** The header line of a patient's block: a Parameters resource whose {@code header} references it. */
	public static String header(String patientId) {
		return "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"header\",\"valueReference\":"
				+ "{\"reference\":\"Patient/" + patientId + "\"}}]}";
	}

	/** Starts the block of a patient; its header is written with its first resource. */
	public void beginBlock(String patientId) {
		blockHeader = header(patientId).getBytes(StandardCharsets.UTF_8);
		blockStarted = false;
	}

	public void write(String jsonLine) throws IOException {
		if (blockHeader == null) {
			throw new IllegalStateException("A resource outside any patient block");
		}
		byte[] bytes = jsonLine.getBytes(StandardCharsets.UTF_8);
		long needed = bytes.length + 1 + (blockStarted ? 0 : blockHeader.length + 1);
		if (current != null && currentResources > 0
				&& (currentCount + (blockStarted ? 1 : 2) > maxResources || currentBytes + needed > maxBytes)) {
			rollOver();
		}
		if (current == null) {
			open();
		}
		if (!blockStarted) {
			writeLine(blockHeader);
			blockStarted = true;
		}
		writeLine(bytes);
		currentResources++;
	}

	/** The files published so far (all of them once closed). */
	public List<ExportedFile> files() {
		return written;
	}

	@Override
	public void close() throws IOException {
		closeCurrent(null);
	}

	private void rollOver() throws IOException {
		String next = nextName();
		// The block goes on in the next file: its header starts that file again.
		closeCurrent(blockStarted ? next : null);
		openAs(next);
		if (blockStarted) {
			writeLine(blockHeader);
		}
	}

	private void open() throws IOException {
		openAs(nextName());
	}

	private String nextName() {
		return namePrefix + "-" + (part + 1) + "-" + NdjsonRollingWriter.randomToken() + ".ndjson";
	}

	private void openAs(String name) throws IOException {
		part++;
		currentName = name;
		current = new BufferedOutputStream(store.create(jobId, currentName), 1 << 16);
	}

	private void writeLine(byte[] bytes) throws IOException {
		current.write(bytes);
		current.write('\n');
		currentCount++;
		currentBytes += bytes.length + 1;
	}

	private void closeCurrent(String continuesInFile) throws IOException {
		if (current == null) {
			return;
		}
		current.close();
		// A type-less file: it holds every type of its patients' blocks.
		ExportedFile file = new ExportedFile(null, currentName, currentCount, currentBytes);
		written.add(continuesInFile == null ? file : file.continuingIn(continuesInFile));
		current = null;
		currentCount = 0;
		currentBytes = 0;
		currentResources = 0;
	}
}
