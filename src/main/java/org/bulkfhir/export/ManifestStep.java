package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.Snapshot;
import org.bulkfhir.read.ExportQueries;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

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
	private final Snapshot snapshot;
	private final DeletedFilesWriter deletedFiles;
	private final IncludedResources included;
	private final List<ExportedFile> files = new ArrayList<>();
	private final List<ExportedFile> errorFiles = new ArrayList<>();
	private final Map<String, TreeSet<Long>> referenced = new TreeMap<>();
	private final TreeSet<Long> sharedProvenance = new TreeSet<>();
	/** organizeOutputBy=Patient: the patient whose block gets each handed-on resource (the lowest of the chunks'). */
	private final Map<Long, Long> blockOwners = new java.util.HashMap<>();
	private final java.util.Set<Integer> seenSequences = new java.util.HashSet<>();
	private long readByHapi;

	public ManifestStep(
			ExportOutput output,
			ExportQueries queries,
			FilterSearch filterSearch,
			ProvenanceSelector provenance,
			Snapshot snapshot,
			DeletedFilesWriter deletedFiles) {
		this.output = output;
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.provenance = provenance;
		this.snapshot = snapshot;
		this.deletedFiles = deletedFiles;
		this.included = new IncludedResources(queries, filterSearch, provenance);
	}

	@Nonnull
	@Override
	public ChunkOutcome consume(ChunkExecutionDetails<ExportJobParameters, ChunkResult> details) {
		ChunkResult result = details.getData();
		if (!seenSequences.add(result.sequence())) {
			// The same work chunk ran twice (given back after its node seemed dead): keep one result.
			return ChunkOutcome.SUCCESS();
		}
		files.addAll(result.files());
		errorFiles.addAll(result.errorFiles());
		readByHapi += result.readByHapi();
		result.referencedPids()
				.forEach((type, pids) -> referenced.computeIfAbsent(type, t -> new TreeSet<>()).addAll(pids));
		sharedProvenance.addAll(result.sharedProvenancePids());
		result.blockOwners().forEach((pid, patient) -> blockOwners.merge(pid, patient, Math::min));
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
		try (ChunkFileWriters writers = params.organizedByPatient()
				? output.openOrganizedByPatient(jobId, "ref", params.getMaxResourcesPerFile(),
						params.getMaxBytesPerFile(), params.updatedWindow(), params.getElements())
				: output.open(jobId, "ref", params.getMaxResourcesPerFile(), params.getMaxBytesPerFile(),
						params.updatedWindow(), params.getElements())) {
			Supplier<Snapshot.View> views = () -> snapshot.view(jobId, params.getTransactionTime());
			if (params.organizedByPatient()) {
				new ManifestBlocks(queries, included)
						.write(params, referenced, sharedProvenance, blockOwners, views, writers);
				referenced.clear();
				sharedProvenance.clear();
			}
			TreeSet<Long> provenanceToWrite = new TreeSet<>(sharedProvenance);
			// First the compartment resources the chunks handed on (in several patients' compartments), then
			// what they and the chunks referenced.
			List<String> referencedTypes = PatientCompartment.REFERENCED_TYPES.stream()
					.filter(params.getScanTypes()::contains)
					.toList();
			for (String type : new ArrayList<>(referenced.keySet())) {
				if (PatientCompartment.REFERENCED_TYPES.contains(type)) {
					continue;
				}
				List<Long> covered = included.write(type, referenced.get(type), params, views, writers, provenanceToWrite);
				WriteStep.referencedAtSnapshot(queries, covered, referencedTypes, views).forEach((referencedType, pids) ->
						referenced.computeIfAbsent(referencedType, t -> new TreeSet<>()).addAll(pids));
			}
			for (Map.Entry<String, TreeSet<Long>> entry : referenced.entrySet()) {
				String type = entry.getKey();
				if (PatientCompartment.REFERENCED_TYPES.contains(type)) {
					included.write(type, entry.getValue(), params, views, writers, provenanceToWrite);
				}
			}
			writers.write(new ArrayList<>(provenanceToWrite));
			writers.close();
			report.getFiles().addAll(files);
			report.getFiles().addAll(writers.files());
			report.getErrorFiles().addAll(errorFiles);
			report.getErrorFiles().addAll(writers.errorFiles());
			report.setReadByHapi(readByHapi + writers.resourcesReadByHapi());
			report.getDeletedFiles().addAll(deletedFiles.write(jobId, params));
		} catch (IOException e) {
			throw new JobExecutionFailedException("Could not write export files: " + e.getMessage(), e);
		}
		if (!params.organizedByPatient()) {
			report.getFiles().sort(
					java.util.Comparator.comparing(ExportedFile::getType).thenComparing(ExportedFile::getName));
		}
		report.setCompletedAt(System.currentTimeMillis());
		sink.accept(report);
		return RunOutcome.SUCCESS;
	}

	@Override
	public IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> newInstance() {
		return new ManifestStep(output, queries, filterSearch, provenance, snapshot, deletedFiles);
	}
}
