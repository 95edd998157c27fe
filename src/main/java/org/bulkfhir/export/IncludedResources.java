package org.bulkfhir.export;

import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/** How the manifest step writes the resources handed to it: only those the export includes, their Provenance noted. */
final class IncludedResources {

	private final ExportQueries queries;
	private final FilterSearch filterSearch;
	private final ProvenanceSelector provenance;

	IncludedResources(ExportQueries queries, FilterSearch filterSearch, ProvenanceSelector provenance) {
		this.queries = queries;
		this.filterSearch = filterSearch;
		this.provenance = provenance;
	}

	/**
	 * Writes those of {@code pids} (of one type) that match the export's filters and window, adds the
	 * Provenance that targets them to {@code provenanceToWrite}; returns those covered.
	 */
	List<Long> write(
			String type,
			TreeSet<Long> pids,
			ExportJobParameters params,
			Supplier<Snapshot.View> views,
			ChunkFileWriters writers,
			TreeSet<Long> provenanceToWrite) {
		List<Long> matching =
				filterSearch.matching(type, new ArrayList<>(pids), params.filtersFor(type), views, params.updatedWindow());
		// The writers read within the export's time window; pids that are only scanned need it applied here.
		List<Long> covered = params.writes(type)
				? writers.write(matching)
				: queries.filterUpdated(matching, params.updatedWindow());
		ProvenanceSelector.Selection selection = provenance.forTargets(covered, params, views);
		provenanceToWrite.addAll(selection.writeHere());
		provenanceToWrite.addAll(selection.shared());
		return covered;
	}
}
