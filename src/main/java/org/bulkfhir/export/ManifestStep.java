package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.ChunkExecutionDetails;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IReductionStepWorker;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.model.ChunkOutcome;
import jakarta.annotation.Nonnull;
import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.provenance.ProvenanceSelector;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Final (reduction) step: gathers every chunk's files, writes the referenced resources
 * (Practitioner, Organization, ...) and the Provenance shared by several chunks once each, and
 * stores the report the manifest is built from.
 */
public class ManifestStep implements IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> {

	private final ExportOutput output;
	private final ExportQueries queries;
	private final FilterSearch filterSearch;
	private final ProvenanceSelector provenance;
	private final List<ExportedFile> files = new ArrayList<>();
	private final List<ExportedFile> errorFiles = new ArrayList<>();
	private final Map<String, TreeSet<Long>> referenced = new TreeMap<>();
	private final java.util.Set<Integer> seenSequences = new java.util.HashSet<>();
	private long readByHapi;

	public ManifestStep(
			ExportOutput output,
			ExportQueries queries,
			FilterSearch filterSearch,
			ProvenanceSelector provenance) {
		this.output = output;
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.provenance = provenance;
	}

	@Nonnull
	@Override
	public ChunkOutcome consume(ChunkExecutionDetails<ExportJobParameters, ChunkResult> details) {
		ChunkResult result = details.getData();
		if (!seenSequences.add(result.getSequence())) {
			// The same work chunk ran twice (given back after its node seemed dead): keep one result.
			return ChunkOutcome.SUCCESS();
		}
		files.addAll(result.getFiles());
		errorFiles.addAll(result.getErrorFiles());
		readByHapi += result.getReadByHapi();
		result.getReferencedPids()
				.forEach((type, pids) -> referenced.computeIfAbsent(type, t -> new TreeSet<>()).addAll(pids));
		return ChunkOutcome.SUCCESS();
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ExportJobParameters, ChunkResult> details,
			@Nonnull IJobDataSink<ExportReport> sink) {
		ExportJobParameters params = details.getParameters();
		String jobId = details.getInstance().getInstanceId();
		ExportReport report = new ExportReport();
		try (ChunkFileWriters writers =
				output.open(jobId, "ref", params.getMaxResourcesPerFile(), params.getMaxBytesPerFile(),
						params.updatedWindow())) {
			TreeSet<Long> provenanceToWrite = referenced.getOrDefault("Provenance", new TreeSet<>());
			for (Map.Entry<String, TreeSet<Long>> entry : referenced.entrySet()) {
				String type = entry.getKey();
				if (type.equals("Provenance")) {
					continue;
				}
				List<Long> pids = filterSearch.matching(type, new ArrayList<>(entry.getValue()), params.filtersFor(type));
				// The writers read within the export's time window; pids that are only scanned need it applied here.
				List<Long> covered = params.writes(type)
						? writers.write(pids)
						: queries.filterUpdated(pids, params.updatedWindow());
				ProvenanceSelector.Selection selection = provenance.forTargets(covered, params);
				provenanceToWrite.addAll(selection.writeHere());
				provenanceToWrite.addAll(selection.shared());
			}
			writers.write(new ArrayList<>(provenanceToWrite));
			writers.close();
			report.getFiles().addAll(files);
			report.getFiles().addAll(writers.files());
			report.getErrorFiles().addAll(errorFiles);
			report.getErrorFiles().addAll(writers.errorFiles());
			report.setReadByHapi(readByHapi + writers.resourcesReadByHapi());
		} catch (IOException e) {
			throw new JobExecutionFailedException("Could not write export files: " + e.getMessage(), e);
		}
		report.getFiles().sort(java.util.Comparator.comparing(ExportedFile::getType).thenComparing(ExportedFile::getName));
		report.setCompletedAt(System.currentTimeMillis());
		sink.accept(report);
		return RunOutcome.SUCCESS;
	}

	@Override
	public IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> newInstance() {
		return new ManifestStep(output, queries, filterSearch, provenance);
	}
}
