package org.bulkfhir.output;

import org.bulkfhir.storage.ExportFileStore;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

	private final NdjsonFileSequence files;
	private final int maxResources;
	private final long maxBytes;

	/** Lines of the open file that are resources, not headers. */
	private long currentResources;
	private byte[] blockHeader;
	private boolean blockStarted;

	public PatientBlockWriter(ExportFileStore store, String jobId, String namePrefix, int maxResources, long maxBytes) {
		// Type-less files: each holds every type of its patients' blocks.
		this.files = new NdjsonFileSequence(store, jobId, null, namePrefix);
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
		if (files.isOpen() && currentResources > 0
				&& (files.lines() + (blockStarted ? 1 : 2) > maxResources || files.bytes() + needed > maxBytes)) {
			rollOver();
		}
		if (!files.isOpen()) {
			files.open();
		}
		if (!blockStarted) {
			files.writeLine(blockHeader);
			blockStarted = true;
		}
		files.writeLine(bytes);
		currentResources++;
	}

	/** The files published so far (all of them once closed). */
	public List<ExportedFile> files() {
		return files.published();
	}

	@Override
	public void close() throws IOException {
		files.close(null);
	}

	private void rollOver() throws IOException {
		String next = files.nextName();
		// The block goes on in the next file: its header starts that file again.
		files.close(blockStarted ? next : null);
		currentResources = 0;
		files.openAs(next);
		if (blockStarted) {
			files.writeLine(blockHeader);
		}
	}
}
