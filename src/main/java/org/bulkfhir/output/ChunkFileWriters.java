package org.bulkfhir.output;

import org.bulkfhir.read.UpdatedWindow;
import org.bulkfhir.read.StoredResourceReader;
import ca.uhn.fhir.context.FhirContext;
import org.bulkfhir.storage.ExportFileStore;
import org.bulkfhir.errors.ErrorReference;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writers of one piece of export work: one rolling NDJSON writer per resource type, plus one
 * for OperationOutcomes of resources that could not be exported.
 */
public class ChunkFileWriters implements Closeable {

	private static final Logger LOG = LoggerFactory.getLogger(ChunkFileWriters.class);

	private final StoredResourceReader reader;
	private final ExportFileStore store;
	private final FhirContext fhirContext;
	private final String jobId;
	private final String namePrefix;
	private final int maxResources;
	private final long maxBytes;
	private final UpdatedWindow window;
	private final ElementSubsetter elements;
	private final Map<String, NdjsonRollingWriter> writers = new TreeMap<>();
	private NdjsonRollingWriter errorWriter;
	/** organizeOutputBy=Patient: every resource goes into this one stream of patient blocks; else null. */
	private PatientBlockWriter blocks;
	private long readByHapi;

	ChunkFileWriters(
			StoredResourceReader reader,
			ExportFileStore store,
			FhirContext fhirContext,
			String jobId,
			String namePrefix,
			int maxResources,
			long maxBytes,
			UpdatedWindow window,
			ElementSubsetter elements) {
		this.reader = reader;
		this.store = store;
		this.fhirContext = fhirContext;
		this.jobId = jobId;
		this.namePrefix = namePrefix;
		this.maxResources = maxResources;
		this.maxBytes = maxBytes;
		this.window = window;
		this.elements = elements;
	}

	/**
	 * Writes the current version of each resource that is live and within the export's time
	 * window, cut to the export's {@code _elements} when they restrict its type; returns the pids
	 * actually written.
	 */
	public List<Long> write(List<Long> pids) {
		return write(pids, new ReadListener() {});
	}

	/** What a caller of {@link #write(List, ReadListener)} learns of, and decides for, each resource read. */
	public interface ReadListener {

		/** Whether this resource (as read, before any {@code _elements} cut) is not written but kept back. */
		default boolean keepBack(StoredResourceReader.StoredResource resource) {
			return false;
		}

		default void keptBack(StoredResourceReader.StoredResource resource) {}

		default void written(StoredResourceReader.StoredResource resource) {}
	}

	/** As {@link #write(List)}, telling {@code listener} of each resource read. */
	public List<Long> write(List<Long> pids, ReadListener listener) {
		List<Long> written = new ArrayList<>(pids.size());
		StoredResourceReader.ReadCounts counts = reader.read(
				pids,
				window,
				resource -> {
					if (listener.keepBack(resource)) {
						listener.keptBack(resource);
						return;
					}
					try {
						String line = elements.apply(resource.type(), resource.json());
						if (blocks != null) {
							blocks.write(line);
						} else {
							writerFor(resource.type()).write(line);
						}
						written.add(resource.pid());
						listener.written(resource);
					} catch (IOException e) {
						throw new UncheckedIOException(e);
					}
				},
				this::writeError);
		readByHapi += counts.readByHapi();
		return written;
	}

	/** Organizes this piece of work's output by patient: what is written from now on goes into patient blocks. */
	ChunkFileWriters organizedByPatient() {
		blocks = new PatientBlockWriter(store, jobId, "Patients-" + namePrefix, maxResources, maxBytes);
		return this;
	}

	/** organizeOutputBy=Patient: what is written next belongs to this patient's block. */
	public void beginBlock(String patientId) {
		blocks.beginBlock(patientId);
	}

	/** How many of the resources written so far HAPI had to read (their stored form could not be spliced). */
	public long resourcesReadByHapi() {
		return readByHapi;
	}

	private NdjsonRollingWriter writerFor(String type) {
		return writers.computeIfAbsent(
				type, t -> new NdjsonRollingWriter(store, jobId, t, t + "-" + namePrefix, maxResources, maxBytes));
	}

	/**
	 * One OperationOutcome line for a resource that could not be exported. The client gets the
	 * type and a reference; the detail (internal id, exception text) goes to the log under it.
	 */
	private void writeError(StoredResourceReader.FailedResource failure) {
		String reference = ErrorReference.next();
		LOG.warn("Export job {}: {} with internal id {} could not be exported, reference {}: {}",
				jobId, failure.type(), failure.pid(), reference, failure.message());
		String message = "A resource of type " + failure.type() + " could not be exported ("
				+ ErrorReference.pointer(reference) + ")";
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.EXCEPTION)
				.setDiagnostics(message);
		try {
			if (errorWriter == null) {
				errorWriter = new NdjsonRollingWriter(
						store, jobId, "OperationOutcome", "OperationOutcome-" + namePrefix, maxResources, maxBytes);
			}
			errorWriter.write(fhirContext.newJsonParser().encodeResourceToString(outcome));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public List<ExportedFile> files() {
		List<ExportedFile> files = new ArrayList<>();
		writers.values().forEach(w -> files.addAll(w.files()));
		if (blocks != null) {
			files.addAll(blocks.files());
		}
		return files;
	}

	public List<ExportedFile> errorFiles() {
		return errorWriter == null ? List.of() : errorWriter.files();
	}

	@Override
	public void close() throws IOException {
		for (NdjsonRollingWriter writer : writers.values()) {
			writer.close();
		}
		if (blocks != null) {
			blocks.close();
		}
		if (errorWriter != null) {
			errorWriter.close();
		}
	}
}
