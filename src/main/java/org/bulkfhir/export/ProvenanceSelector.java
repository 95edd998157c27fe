package org.bulkfhir.export;

import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.read.ExportQueries.ProvenanceLink;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.Snapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The Provenance half of the all-or-nothing rule: given the resources one piece of work exported,
 * the Provenance resources that target them. Works on one bounded batch of ids at a time.
 *
 * <p>A Provenance with a single target can only be reached from that target, so the piece of work
 * that exported the target writes it. One with several targets could be reached from several
 * pieces of work; those are handed to the manifest step, which writes each once.
 */
public class ProvenanceSelector {

	private final ExportQueries queries;
	private final FilterSearch filterSearch;

	public ProvenanceSelector(ExportQueries queries, FilterSearch filterSearch) {
		this.queries = queries;
		this.filterSearch = filterSearch;
	}

	/** Provenance to write now, and Provenance to hand on for de-duplication. */
	public record Selection(List<Long> writeHere, List<Long> shared) {}

	/**
	 * {@code views}: the resources changed since the export's transaction time, asked after each lookup
	 * of HAPI's links it corrects; a Provenance among them is found, and its targets counted, by its
	 * version at that time.
	 */
	public Selection forTargets(List<Long> exportedPids, ExportJobParameters params, Supplier<Snapshot.View> views) {
		if (!params.includesProvenance() || exportedPids.isEmpty()) {
			return new Selection(List.of(), List.of());
		}
		// Each link row is checked against its Provenance's RES_UPDATED in the same statement: only those
		// not changed since the transaction time; the view taken afterwards has all the others.
		List<ProvenanceLink> links =
				new ArrayList<>(queries.provenanceTargeting(exportedPids, params.updatedWindow()));
		Snapshot.View changed = views.get();
		if (!changed.isEmpty()) {
			links.addAll(changed.provenanceTargeting(new HashSet<>(exportedPids), params.updatedWindow()));
		}
		Collection<Long> chosen = params.isLatestProvenanceOnly() ? latestPerTarget(links) : allOf(links);
		List<Long> filtered = filterSearch.matching(
				"Provenance", new ArrayList<>(chosen), params.filtersFor("Provenance"), views, params.updatedWindow());
		Map<Long, Integer> targetCounts = new HashMap<>(queries.provenanceTargetCounts(filtered));
		changed = views.get();
		for (Long pid : filtered) {
			if (changed.isChanged(pid)) {
				targetCounts.put(pid, changed.targetCount(pid));
			}
		}
		List<Long> writeHere = new ArrayList<>();
		List<Long> shared = new ArrayList<>();
		for (Long pid : filtered) {
			if (targetCounts.getOrDefault(pid, 0) <= 1) {
				writeHere.add(pid);
			} else {
				shared.add(pid);
			}
		}
		return new Selection(writeHere, shared);
	}

	private static Collection<Long> allOf(List<ProvenanceLink> links) {
		TreeSet<Long> pids = new TreeSet<>();
		links.forEach(link -> pids.add(link.provenancePid()));
		return pids;
	}

	private static Collection<Long> latestPerTarget(List<ProvenanceLink> links) {
		Map<Long, ProvenanceLink> newest = new HashMap<>();
		for (ProvenanceLink link : links) {
			newest.merge(link.targetPid(), link, (a, b) -> newer(a, b) ? a : b);
		}
		TreeSet<Long> pids = new TreeSet<>();
		newest.values().forEach(link -> pids.add(link.provenancePid()));
		return pids;
	}

	private static boolean newer(ProvenanceLink a, ProvenanceLink b) {
		return a.updated() != b.updated() ? a.updated() > b.updated() : a.provenancePid() > b.provenancePid();
	}
}
