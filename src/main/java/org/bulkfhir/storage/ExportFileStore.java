package org.bulkfhir.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Where export files live. Files are addressed by job id and file name; a file becomes visible
 * only when the stream that writes it is closed, so a crash never leaves a half-written file
 * that could be served.
 */
public interface ExportFileStore {

	/** Opens a new file for writing; it is published atomically on {@code close()}. */
	OutputStream create(String jobId, String fileName) throws IOException;

	/** Opens a published file, or empty if there is none of that name. */
	Optional<InputStream> open(String jobId, String fileName) throws IOException;

	/** Size in bytes of a published file, or -1 if absent. */
	long size(String jobId, String fileName);

	/**
	 * Removes every file of the job, published or not; only if the store created the job's
	 * directory (other data under the store's directory is never touched).
	 */
	void deleteJob(String jobId) throws IOException;

	/** Ids of the jobs whose directories the store created. */
	java.util.List<String> jobIds() throws IOException;

	/** Marks the existing directory of a known job as the store's own (for directories made before markers). */
	void adopt(String jobId) throws IOException;

	/** Bytes taken by all files in the store. */
	long totalBytes() throws IOException;

	/** Files (published or being written) and their bytes, over all jobs. */
	record Usage(long files, long bytes) {}

	/** The files of all jobs and the bytes they take. */
	Usage usage() throws IOException;

	/** Bytes still free for the store (on its file system). */
	long usableBytes() throws IOException;

	/** Throws unless a new file can be written into the store now (written and removed at once). */
	void checkWritable() throws IOException;

	/** Whether any file or directory of the job is still present. */
	boolean jobExists(String jobId);
}
