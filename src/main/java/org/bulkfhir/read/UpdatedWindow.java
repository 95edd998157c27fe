package org.bulkfhir.read;

/**
 * What of each resource an export reads: its version at {@code asOf} (the export's transaction
 * time: the snapshot), exported only when that version's {@code lastUpdated} lies within the window:
 * not after {@code until} (the earlier of {@code _until} and the transaction time) and, with
 * {@code _since}, not before {@code since}.
 *
 * <p>Checked in Java on rows already fetched by id: given a RES_UPDATED bound, H2 prefers HAPI's
 * (RES_UPDATED, RES_ID) index over the primary key and scans the whole table for an id list.
 */
public record UpdatedWindow(Long since, long until, long asOf) {

	/** A window whose snapshot time is its upper bound. */
	public UpdatedWindow(Long since, long until) {
		this(since, until, until);
	}

	public boolean contains(long updated) {
		return updated <= until && (since == null || updated >= since);
	}

	/** The version current now is the version at {@code asOf}: it was last changed no later. */
	public boolean currentIsSnapshot(long currentUpdated) {
		return currentUpdated <= asOf;
	}
}
