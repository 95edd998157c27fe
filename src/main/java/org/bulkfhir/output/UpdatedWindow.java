package org.bulkfhir.output;

/**
 * The export's time window on {@code lastUpdated}: resources updated after {@code until} (the
 * export's transaction time) or, with {@code _since}, before {@code since} are not exported.
 *
 * <p>Checked in Java on rows already fetched by id: given a RES_UPDATED bound, H2 prefers HAPI's
 * (RES_UPDATED, RES_ID) index over the primary key and scans the whole table for an id list.
 */
public record UpdatedWindow(Long since, long until) {

	public boolean contains(long updated) {
		return updated <= until && (since == null || updated >= since);
	}
}
