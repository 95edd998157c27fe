package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.read.PatientReferences;
import org.bulkfhir.read.StoredResourceReader;
import org.bulkfhir.read.TextReferences;
import org.bulkfhir.read.Snapshot;
import org.bulkfhir.read.ExportQueries;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import jakarta.annotation.Nonnull;
import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.read.UpdatedWindow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
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
	private final Snapshot snapshot;

	public WriteStep(
			ExportQueries queries,
			FilterSearch filterSearch,
			PatientCompartment compartment,
			ExportOutput output,
			ProvenanceSelector provenance,
			Snapshot snapshot) {
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.compartment = compartment;
		this.output = output;
		this.provenance = provenance;
		this.snapshot = snapshot;
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
		ChunkResult.HandedOn handedOn = new ChunkResult.HandedOn();
		ChunkResult result;
		try (ChunkFileWriters writers = params.organizedByPatient()
				? output.openOrganizedByPatient(jobId, "c" + chunk.getSequence(), params.getMaxResourcesPerFile(),
						params.getMaxBytesPerFile(), chunk.window(params), params.getElements())
				: output.open(jobId, "c" + chunk.getSequence(), params.getMaxResourcesPerFile(),
						params.getMaxBytesPerFile(), chunk.window(params), params.getElements())) {
			List<Long> covered;
			Supplier<Snapshot.View> views = () -> snapshot.view(jobId, params.getTransactionTime());
			if (params.organizedByPatient()) {
				writePatientBlocks(params, chunk, views, writers, handedOn);
				covered = List.of();
			} else if (chunk.isTypeRange()) {
				covered = writeTypeRange(params, chunk, views, writers);
			} else {
				Written written =
						writePatients(params, chunk.getPatientPids(), chunk.window(params), views, writers, handedOn);
				covered = written.covered();
				noteReferences(params, written, views, handedOn);
			}
			ProvenanceSelector.Selection selection = provenance.forTargets(covered, params, views);
			writers.write(selection.writeHere());
			handedOn.sharedProvenancePids.addAll(selection.shared());
			writers.close();
			result = handedOn.result(
					chunk.getSequence(), writers.files(), writers.errorFiles(), writers.resourcesReadByHapi());
		} catch (IOException e) {
			throw new JobExecutionFailedException("Could not write export files: " + e.getMessage(), e);
		}
		LOG.info("Export job {} chunk {} written by node {}: {} resources ({} read by HAPI) in {} files, {} ms", jobId,
				chunk.getSequence(), NODE, result.files().stream().mapToLong(ExportedFile::getCount).sum(),
				result.readByHapi(), result.files().size(), (System.nanoTime() - started) / 1_000_000);
		sink.accept(result);
		return RunOutcome.SUCCESS;
	}

	/**
	 * organizeOutputBy=Patient: each patient's block (header, the Patient, its compartment, the Provenance
	 * of exactly those), one patient after the other, with the same lookups as {@link #writePatients} made
	 * per patient. What is handed on to the manifest step is noted with the patient that led to it.
	 */
	private void writePatientBlocks(
			ExportJobParameters params,
			ExportWorkChunk chunk,
			Supplier<Snapshot.View> views,
			ChunkFileWriters writers,
			ChunkResult.HandedOn result) {
		Map<Long, String> ids = queries.fhirIds(chunk.getPatientPids());
		for (Long patient : chunk.getPatientPids()) {
			writers.beginBlock(ids.get(patient));
			ChunkResult.HandedOn handedOn = new ChunkResult.HandedOn();
			Written written = writePatients(params, List.of(patient), chunk.window(params), views, writers, handedOn);
			noteReferences(params, written, views, handedOn);
			ProvenanceSelector.Selection selection = provenance.forTargets(written.covered(), params, views);
			writers.write(selection.writeHere());
			handedOn.referencedPids.forEach((type, pids) -> {
				result.referencedPids.computeIfAbsent(type, t -> new ArrayList<>()).addAll(pids);
				pids.forEach(pid -> result.blockOwners.putIfAbsent(pid, patient));
			});
			result.sharedProvenancePids.addAll(selection.shared());
			selection.shared().forEach(pid -> result.blockOwners.putIfAbsent(pid, patient));
		}
	}

	private List<Long> writeTypeRange(
			ExportJobParameters params, ExportWorkChunk chunk, Supplier<Snapshot.View> views, ChunkFileWriters writers) {
		String type = chunk.getResourceType();
		List<Long> pids = queries.pidsInRange(type, chunk.getFromPid(), chunk.getToPid(), params.updatedWindow());
		pids = filterSearch.matching(type, pids, params.filtersFor(type), views, params.updatedWindow());
		return params.writes(type) ? writers.write(pids) : queries.filterUpdated(pids, params.updatedWindow());
	}

	private Set<String> compartmentTypes(ExportJobParameters params) {
		return params.getScanTypes().stream().filter(compartment::contains).collect(Collectors.toSet());
	}

	/**
	 * What {@link #writePatients} covered (written, or scanned for Provenance), the references of what it
	 * wrote, and those of its resources whose references HAPI's links tell (scanned only, or with an
	 * absolute reference).
	 */
	private record Written(List<Long> covered, TextReferences references, List<Long> referencesByLinks) {}

	/**
	 * Writes the patients' compartments; returns what it covered and what that references. A resource
	 * that may be in several patients' compartments is not written here but handed to the manifest step
	 * with the referenced resources, which writes it once: other chunks may find it too.
	 *
	 * <p>The compartments as they were at the transaction time: HAPI's links, corrected by a
	 * {@link Snapshot.View} taken after they were read. Whether a resource may be in several compartments
	 * is told from the text of the version read ({@link PatientReferences}), or, for a resource that is
	 * only scanned (for its Provenance), from HAPI's links.
	 */
	private Written writePatients(
			ExportJobParameters params,
			List<Long> patients,
			UpdatedWindow window,
			Supplier<Snapshot.View> views,
			ChunkFileWriters writers,
			ChunkResult.HandedOn result) {
		List<Long> covered = new ArrayList<>();
		TextReferences references = new TextReferences(new HashSet<>(referencedTypes(params)));
		List<Long> scannedOnly = new ArrayList<>();
		Written written = new Written(covered, references, scannedOnly);
		if (patients.isEmpty()) {
			return written;
		}
		ChunkFileWriters.ReadListener noting = new ChunkFileWriters.ReadListener() {
			@Override
			public void written(StoredResourceReader.StoredResource resource) {
				references.collect(resource.pid(), resource.json());
			}
		};
		List<String> scan = params.getScanTypes();
		if (scan.contains("Patient")) {
			if (params.writes("Patient")) {
				covered.addAll(writers.write(patients, noting));
			} else {
				scannedOnly.addAll(queries.filterUpdated(patients, window));
			}
		}
		Set<String> types = compartmentTypes(params);
		Map<String, TreeSet<Long>> byType = queries.referencingResources(patients, types, compartment);
		// Those written are checked as they are read (their text); HAPI's links are asked only about those
		// scanned for their Provenance.
		List<Long> linkedNotWritten = new ArrayList<>();
		byType.forEach((type, pids) -> {
			if (compartment.maySpanPatients(type) && !params.writes(type)) {
				linkedNotWritten.addAll(pids);
			}
		});
		Set<Long> several = queries.referencingSeveralPatients(linkedNotWritten);
		Snapshot.View changed = views.get();
		changed.correctMembers(byType, new HashSet<>(patients), types);
		List<Long> candidates = new ArrayList<>();
		byType.values().forEach(candidates::addAll);
		Set<Long> shared = new HashSet<>(changed.unchanged(several));
		shared.addAll(changed.inSeveralCompartments(candidates));
		for (Map.Entry<String, TreeSet<Long>> entry : byType.entrySet()) {
			String type = entry.getKey();
			List<Long> own = new ArrayList<>(entry.getValue().size());
			for (Long pid : entry.getValue()) {
				if (shared.contains(pid)) {
					result.reference(type, pid);
				} else {
					own.add(pid);
				}
			}
			List<Long> pids = filterSearch.matching(type, own, params.filtersFor(type), views, window);
			// The writers read within the export's time window; pids that are only scanned need it applied here.
			if (!params.writes(type)) {
				scannedOnly.addAll(queries.filterUpdated(pids, window));
			} else if (compartment.maySpanPatients(type)) {
				covered.addAll(writers.write(pids, new ChunkFileWriters.ReadListener() {
					@Override
					public boolean keepBack(StoredResourceReader.StoredResource resource) {
						return PatientReferences.nameSeveralPatients(resource.json());
					}

					@Override
					public void keptBack(StoredResourceReader.StoredResource resource) {
						result.reference(type, resource.pid());
					}

					@Override
					public void written(StoredResourceReader.StoredResource resource) {
						noting.written(resource);
					}
				}));
			} else {
				covered.addAll(writers.write(pids, noting));
			}
		}
		covered.addAll(scannedOnly);
		return written;
	}

	private static List<String> referencedTypes(ExportJobParameters params) {
		return PatientCompartment.REFERENCED_TYPES.stream()
				.filter(params.getScanTypes()::contains)
				.toList();
	}

	/**
	 * Hands on the resources of the referenced types that the covered resources reference: those in the
	 * text of what was written (the versions at the transaction time), and, through HAPI's links, those
	 * of the resources only scanned or with absolute references.
	 */
	private void noteReferences(
			ExportJobParameters params, Written written, Supplier<Snapshot.View> views, ChunkResult.HandedOn result) {
		List<Long> byLinks = new ArrayList<>(written.referencesByLinks());
		byLinks.addAll(written.references().withAbsoluteReferences());
		Map<String, TreeSet<Long>> referenced = referencedAtSnapshot(queries, byLinks, referencedTypes(params), views);
		written.references().ids().forEach((type, ids) ->
				referenced.computeIfAbsent(type, t -> new TreeSet<>()).addAll(queries.pidsOf(type, ids)));
		referenced.forEach((type, pids) ->
				result.referencedPids.computeIfAbsent(type, t -> new ArrayList<>()).addAll(pids));
	}

	/**
	 * The resources of {@code types} that {@code sources} referenced at the transaction time: HAPI's links
	 * of the sources not changed since, and the references of the others' versions at that time. HAPI's
	 * links are read again should a source change while they are read (rare: the lookup is short).
	 */
	static Map<String, TreeSet<Long>> referencedAtSnapshot(
			ExportQueries queries, List<Long> sources, List<String> types, Supplier<Snapshot.View> views) {
		if (types.isEmpty() || sources.isEmpty()) {
			return new java.util.TreeMap<>();
		}
		Snapshot.View before = views.get();
		while (true) {
			List<Long> unchanged = before.unchanged(sources);
			Map<String, TreeSet<Long>> referenced = queries.referencedResources(unchanged, types);
			Snapshot.View after = views.get();
			if (after.unchanged(unchanged).size() == unchanged.size()) {
				after.addReferences(sources, types, referenced);
				return referenced;
			}
			before = after;
		}
	}
}
