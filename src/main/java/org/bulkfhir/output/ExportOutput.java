package org.bulkfhir.output;

import org.bulkfhir.read.UpdatedWindow;
import org.bulkfhir.read.StoredResourceReader;
import ca.uhn.fhir.context.FhirContext;
import org.bulkfhir.storage.ExportFileStore;

import java.util.List;

/** Opens the set of NDJSON writers that one piece of export work fills. */
public class ExportOutput {

	private final StoredResourceReader reader;
	private final ExportFileStore store;
	private final FhirContext fhirContext;

	public ExportOutput(StoredResourceReader reader, ExportFileStore store, FhirContext fhirContext) {
		this.reader = reader;
		this.store = store;
		this.fhirContext = fhirContext;
	}

	public ChunkFileWriters open(
			String jobId, String namePrefix, int maxResourcesPerFile, long maxBytesPerFile, UpdatedWindow window,
			List<String> elements) {
		return new ChunkFileWriters(reader, store, fhirContext, jobId, namePrefix, maxResourcesPerFile, maxBytesPerFile,
				window, ElementSubsetter.of(fhirContext, elements));
	}

	/**
	 * Writers whose output is organized by patient (organizeOutputBy=Patient): one stream of patient blocks,
	 * each begun with {@link ChunkFileWriters#beginBlock}, instead of one file series per type.
	 */
	public ChunkFileWriters openOrganizedByPatient(
			String jobId, String namePrefix, int maxResourcesPerFile, long maxBytesPerFile, UpdatedWindow window,
			List<String> elements) {
		return open(jobId, namePrefix, maxResourcesPerFile, maxBytesPerFile, window, elements).organizedByPatient();
	}
}
