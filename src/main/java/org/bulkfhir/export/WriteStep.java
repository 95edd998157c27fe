package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import jakarta.annotation.Nonnull;
import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.provenance.ProvenanceSelector;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Second step, one run per work chunk, on whichever node picks it up: finds the chunk's resources
 * with plain SQL (and HAPI search for {@code _typeFilter}) and streams their stored text into
 * NDJSON files, followed by the Provenance that targets them when Provenance was requested.
 * Referenced resources are only noted here; the manifest step writes each once.
 */
public class WriteStep implements IJobStepWorker<ExportJobParameters, ExportWorkChunk, ChunkResult> {

	private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WriteStep.class);
	/** pid@host: which node of a cluster ran a chunk, for the logs. */
	private static final String NODE = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

	private final ExportQueries queries;
	private final FilterSearch filterSearch;
	private final PatientCompartment compartment;
	private final ExportOutput output;
	private final ProvenanceSelector provenance;

	public WriteStep(
			ExportQueries queries,
			FilterSearch filterSearch,
			PatientCompartment compartment,
			ExportOutput output,
			ProvenanceSelector provenance) {
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.compartment = compartment;
		this.output = output;
		this.provenance = provenance;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ExportJobParameters, ExportWorkChunk> details,
			@Nonnull IJobDataSink<ChunkResult> sink) {
		ExportJobParameters params = details.getParameters();
		ExportWorkChunk chunk = details.getData();
		String jobId = details.getInstance().getInstanceId();
		long started = System.nanoTime();
		ChunkResult result = new ChunkResult();
		result.setSequence(chunk.getSequence());
		try (ChunkFileWriters writers = output.open(jobId, "c" + chunk.getSequence(), params.getMaxResourcesPerFile(),
				params.getMaxBytesPerFile(), params.updatedWindow())) {
			List<Long> covered;
			if (chunk.isTypeRange()) {
				covered = writeTypeRange(params, chunk, writers);
			} else {
				covered = writePatients(params, chunk.getPatientPids(), writers);
				noteReferences(params, covered, result);
			}
			ProvenanceSelector.Selection selection = provenance.forTargets(covered, params);
			writers.write(selection.writeHere());
			if (!selection.shared().isEmpty()) {
				result.getReferencedPids().put("Provenance", selection.shared());
			}
			writers.close();
			result.getFiles().addAll(writers.files());
			result.getErrorFiles().addAll(writers.errorFiles());
			result.setReadByHapi(writers.resourcesReadByHapi());
		} catch (IOException e) {
			throw new JobExecutionFailedException("Could not write export files: " + e.getMessage(), e);
		}
		LOG.info("Export job {} chunk {} written by node {}: {} resources ({} read by HAPI) in {} files, {} ms", jobId,
				chunk.getSequence(), NODE, result.getFiles().stream().mapToLong(ExportedFile::getCount).sum(),
				result.getReadByHapi(), result.getFiles().size(), (System.nanoTime() - started) / 1_000_000);
		sink.accept(result);
		return RunOutcome.SUCCESS;
	}

	private List<Long> writeTypeRange(ExportJobParameters params, ExportWorkChunk chunk, ChunkFileWriters writers) {
		String type = chunk.getResourceType();
		List<Long> pids = queries.pidsInRange(type, chunk.getFromPid(), chunk.getToPid(), params.updatedWindow());
		pids = filterSearch.matching(type, pids, params.filtersFor(type));
		return params.writes(type) ? writers.write(pids) : pids;
	}

	/** Writes the patients' compartments; returns every resource covered (written, or scanned for Provenance). */
	private List<Long> writePatients(ExportJobParameters params, List<Long> patients, ChunkFileWriters writers) {
		List<Long> covered = new ArrayList<>();
		if (patients.isEmpty()) {
			return covered;
		}
		List<String> scan = params.getScanTypes();
		if (scan.contains("Patient")) {
			covered.addAll(params.writes("Patient")
					? writers.write(patients)
					: queries.filterUpdated(patients, params.updatedWindow()));
		}
		Set<String> types = scan.stream().filter(compartment::contains).collect(Collectors.toSet());
		Map<String, TreeSet<Long>> byType = queries.referencingResources(patients, types, compartment);
		for (Map.Entry<String, TreeSet<Long>> entry : byType.entrySet()) {
			String type = entry.getKey();
			List<Long> pids = filterSearch.matching(type, new ArrayList<>(entry.getValue()), params.filtersFor(type));
			// The writers read within the export's time window; pids that are only scanned need it applied here.
			covered.addAll(params.writes(type)
					? writers.write(pids)
					: queries.filterUpdated(pids, params.updatedWindow()));
		}
		return covered;
	}

	private void noteReferences(ExportJobParameters params, List<Long> covered, ChunkResult result) {
		List<String> referencedTypes = PatientCompartment.REFERENCED_TYPES.stream()
				.filter(params.getScanTypes()::contains)
				.toList();
		Map<String, TreeSet<Long>> referenced = queries.referencedResources(covered, referencedTypes);
		referenced.forEach((type, pids) -> result.getReferencedPids().put(type, new ArrayList<>(pids)));
	}
}
