package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import jakarta.annotation.Nonnull;
import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.output.StoredResourceReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Second step, one run per work chunk, on whichever node picks it up: finds the chunk's resources
 * with plain SQL (and HAPI search for {@code _typeFilter}) and streams their stored text into
 * NDJSON files. Referenced resources are only noted here; the manifest step writes each once.
 */
public class WriteStep implements IJobStepWorker<ExportJobParameters, ExportWorkChunk, ChunkResult> {

	private final ExportQueries queries;
	private final FilterSearch filterSearch;
	private final PatientCompartment compartment;
	private final ExportOutput writerFactory;

	public WriteStep(
			ExportQueries queries,
			FilterSearch filterSearch,
			PatientCompartment compartment,
			ExportOutput writerFactory) {
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.compartment = compartment;
		this.writerFactory = writerFactory;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ExportJobParameters, ExportWorkChunk> details,
			@Nonnull IJobDataSink<ChunkResult> sink) {
		ExportJobParameters params = details.getParameters();
		ExportWorkChunk chunk = details.getData();
		String jobId = details.getInstance().getInstanceId();
		ChunkResult result = new ChunkResult();
		try (ChunkFileWriters writers = writerFactory.open(jobId, "c" + chunk.getSequence(), params.getMaxResourcesPerFile(), params.getMaxBytesPerFile())) {
			if (chunk.isTypeRange()) {
				writeTypeRange(params, chunk, writers);
			} else {
				List<Long> exported = writePatients(params, chunk.getPatientPids(), writers);
				noteReferences(params, exported, result);
			}
			writers.close();
			result.getFiles().addAll(writers.files());
			result.getErrorFiles().addAll(writers.errorFiles());
		} catch (IOException e) {
			throw new JobExecutionFailedException("Could not write export files: " + e.getMessage(), e);
		}
		sink.accept(result);
		return RunOutcome.SUCCESS;
	}

	private void writeTypeRange(ExportJobParameters params, ExportWorkChunk chunk, ChunkFileWriters writers) {
		String type = chunk.getResourceType();
		List<Long> pids = queries.pidsInRange(
				type, chunk.getFromPid(), chunk.getToPid(), params.getSince(), params.effectiveUntil());
		writers.write(filterSearch.matching(type, pids, params.filtersFor(type)));
	}

	private List<Long> writePatients(ExportJobParameters params, List<Long> patients, ChunkFileWriters writers) {
		List<Long> exported = new ArrayList<>();
		if (patients.isEmpty()) {
			return exported;
		}
		if (params.getTypes().contains("Patient")) {
			List<Long> updated = queries.filterUpdated(patients, params.getSince(), params.effectiveUntil());
			exported.addAll(writers.write(updated));
		}
		List<String> types = params.getTypes().stream().filter(compartment::contains).toList();
		Map<String, TreeSet<Long>> byType = queries.referencingResources(
				patients, types, compartment.paths(), params.getSince(), params.effectiveUntil());
		for (Map.Entry<String, TreeSet<Long>> entry : byType.entrySet()) {
			String type = entry.getKey();
			List<Long> pids = filterSearch.matching(type, new ArrayList<>(entry.getValue()), params.filtersFor(type));
			exported.addAll(writers.write(pids));
		}
		return exported;
	}

	private void noteReferences(ExportJobParameters params, List<Long> exported, ChunkResult result) {
		List<String> referencedTypes = PatientCompartment.REFERENCED_TYPES.stream()
				.filter(params.getTypes()::contains)
				.toList();
		Map<String, TreeSet<Long>> referenced = queries.referencedResources(exported, referencedTypes);
		referenced.forEach((type, pids) -> result.getReferencedPids().put(type, new ArrayList<>(pids)));
	}
}
