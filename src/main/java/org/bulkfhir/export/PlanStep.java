package org.bulkfhir.export;

import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.read.Snapshot;
import org.bulkfhir.read.ExportQueries;
import ca.uhn.fhir.batch2.api.IFirstJobStepWorker;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import jakarta.annotation.Nonnull;
import org.bulkfhir.settings.BulkFhirProperties;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * First step: decides who and what is exported and cuts the work into chunks that any node of
 * the cluster can pick up: batches of member patients, or pid ranges of one type for system level.
 */
public class PlanStep implements IFirstJobStepWorker<ExportJobParameters, ExportWorkChunk> {

	private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PlanStep.class);

	private final ExportQueries queries;
	private final GroupMembers groupMembers;
	private final FilterSearch filterSearch;
	private final Snapshot snapshot;
	private final BulkFhirProperties properties;

	public PlanStep(
			ExportQueries queries,
			GroupMembers groupMembers,
			FilterSearch filterSearch,
			Snapshot snapshot,
			BulkFhirProperties properties) {
		this.queries = queries;
		this.groupMembers = groupMembers;
		this.filterSearch = filterSearch;
		this.snapshot = snapshot;
		this.properties = properties;
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ExportJobParameters, ca.uhn.fhir.batch2.api.VoidModel> details,
			@Nonnull IJobDataSink<ExportWorkChunk> sink) {
		ExportJobParameters params = details.getParameters();
		long asOf = params.getTransactionTime();
		String jobId = details.getInstance().getInstanceId();
		Supplier<Snapshot.View> views = () -> snapshot.view(jobId, asOf);
		int[] sequence = {0};
		switch (params.getLevel()) {
			case GROUP -> {
				Set<String> members = new LinkedHashSet<>(groupMembers.activePatientIds(params.getGroupId(), asOf));
				if (!params.getPatientIds().isEmpty()) {
					members.retainAll(params.getPatientIds()); // all of them, checked at kick-off
				}
				Set<String> joined = joinedSince(params, members);
				Set<String> stayed = new LinkedHashSet<>(members);
				stayed.removeAll(joined);
				emitPatientBatches(params, queries.patientPids(stayed, asOf), views, sink, sequence, false);
				emitPatientBatches(params, queries.patientPids(joined, asOf), views, sink, sequence, true);
			}
			case PATIENT -> {
				if (!params.getPatientIds().isEmpty()) {
					emitPatientBatches(params, queries.patientPids(params.getPatientIds(), asOf), views, sink, sequence, false);
				} else {
					long after = Long.MIN_VALUE;
					int pageSize = Math.max(properties.export().patientsPerChunk(), 1);
					List<Long> page;
					while (!(page = queries.nextPids("Patient", after, pageSize, asOf)).isEmpty()) {
						emitPatientBatches(params, page, views, sink, sequence, false);
						after = page.get(page.size() - 1);
					}
				}
			}
			case SYSTEM -> {
				List<String> present = queries.typesWithData(asOf);
				int pageSize = Math.max(properties.export().resourcesPerChunk(), 1);
				for (String type : params.getScanTypes()) {
					if (!present.contains(type)) {
						continue;
					}
					long after = Long.MIN_VALUE;
					List<Long> page;
					while (!(page = queries.nextPids(type, after, pageSize, asOf)).isEmpty()) {
						long last = page.get(page.size() - 1);
						sink.accept(ExportWorkChunk.forTypeRange(sequence[0]++, type, page.get(0), last));
						after = last;
					}
				}
			}
		}
		if (sequence[0] == 0) {
			// The manifest step runs only after at least one chunk: an empty export still completes.
			sink.accept(ExportWorkChunk.forPatients(sequence[0]++, List.of()));
		}
		LOG.info("Export job {} planned by node {}: {} work chunks", details.getInstance().getInstanceId(),
				java.lang.management.ManagementFactory.getRuntimeMXBean().getName(), sequence[0]);
		return RunOutcome.SUCCESS;
	}

	/**
	 * With {@code _since}, the members who were not active members when {@code _since} was (IG v2: their
	 * whole record is exported, not only what changed since).
	 */
	private Set<String> joinedSince(ExportJobParameters params, Set<String> members) {
		if (params.getSince() == null) {
			return Set.of();
		}
		Set<String> joined = new LinkedHashSet<>(members);
		joined.removeAll(groupMembers.activePatientIdsIfExisted(params.getGroupId(), params.getSince()));
		return joined;
	}

	private void emitPatientBatches(
			ExportJobParameters params,
			List<Long> patients,
			Supplier<Snapshot.View> views,
			IJobDataSink<ExportWorkChunk> sink,
			int[] sequence,
			boolean joinedSince) {
		if (patients.isEmpty()) {
			return;
		}
		List<Long> selected = filterSearch.matching(
				"Patient", patients, params.filtersFor("Patient"), views, ExportWorkChunk.window(params, joinedSince));
		int size = Math.max(properties.export().patientsPerChunk(), 1);
		for (int start = 0; start < selected.size(); start += size) {
			List<Long> batch = new ArrayList<>(selected.subList(start, Math.min(selected.size(), start + size)));
			sink.accept(joinedSince
					? ExportWorkChunk.forPatientsJoinedSince(sequence[0]++, batch)
					: ExportWorkChunk.forPatients(sequence[0]++, batch));
		}
	}
}
