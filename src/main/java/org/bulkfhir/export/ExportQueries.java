package org.bulkfhir.export;

import org.bulkfhir.output.DatabaseProduct;
import org.bulkfhir.output.PidBatches;
import org.bulkfhir.output.UpdatedWindow;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.bulkfhir.output.StoredResourceReader.batches;

/**
 * The plain SQL reads of HAPI's tables that the export needs: keyset-paged, bounded IN-lists,
 * and never more than ids in memory.
 */
public class ExportQueries {

	private static final int ARRAY_BATCH = 5_000;
	/** The batch of pids bound as an array, as a table {@code s(PID)}; see {@link #forEachBatch}. */
	private static final String PIDS_TABLE = PidBatches.H2_TABLE;

	private final NamedParameterJdbcTemplate jdbc;
	private final PidBatches pidBatches;

	public ExportQueries(NamedParameterJdbcTemplate jdbc) {
		this.jdbc = jdbc;
		this.pidBatches = new PidBatches(jdbc, ARRAY_BATCH);
	}

	/** Resource types that currently have at least one live resource. */
	public List<String> typesWithData() {
		return jdbc.getJdbcTemplate()
				.queryForList(
						"SELECT DISTINCT RES_TYPE FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL", String.class);
	}

	/** Live Patient pids for the given FHIR ids, in pid order. */
	public List<Long> patientPids(Collection<String> fhirIds) {
		List<String> ids = new ArrayList<>(fhirIds);
		TreeSet<Long> result = new TreeSet<>();
		for (List<String> batch : batches(ids)) {
			result.addAll(jdbc.queryForList(
					"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID IN (:ids)"
							+ " AND RES_DELETED_AT IS NULL",
					new MapSqlParameterSource("ids", batch),
					Long.class));
		}
		return new ArrayList<>(result);
	}

	/** The next page of live pids of one type after {@code afterPid}, in pid order. */
	public List<Long> nextPids(String resourceType, long afterPid, int limit) {
		return jdbc.queryForList(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID > :after"
						+ " AND RES_DELETED_AT IS NULL ORDER BY RES_ID FETCH FIRST " + limit + " ROWS ONLY",
				new MapSqlParameterSource("type", resourceType).addValue("after", afterPid),
				Long.class);
	}

	/** Live pids of one type within [from, to], updated within the window, in pid order. */
	public List<Long> pidsInRange(String resourceType, long fromPid, long toPid, UpdatedWindow window) {
		List<Long> result = new ArrayList<>();
		jdbc.query(
				"SELECT RES_ID, RES_UPDATED FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID BETWEEN :from AND :to"
						+ " AND RES_DELETED_AT IS NULL ORDER BY RES_ID",
				new MapSqlParameterSource("type", resourceType).addValue("from", fromPid).addValue("to", toPid),
				rs -> {
					if (window.contains(rs.getTimestamp(2).getTime())) {
						result.add(rs.getLong(1));
					}
				});
		return result;
	}

	/** Keeps those of {@code pids} that are live and updated within the window, in pid order. */
	public List<Long> filterUpdated(List<Long> pids, UpdatedWindow window) {
		TreeSet<Long> result = new TreeSet<>();
		forEachBatch(
				pids,
				"SELECT r.RES_ID, r.RES_UPDATED FROM " + PIDS_TABLE + " JOIN HFJ_RESOURCE r ON r.RES_ID = s.PID"
						+ " WHERE r.RES_DELETED_AT IS NULL",
				"SELECT RES_ID, RES_UPDATED FROM HFJ_RESOURCE WHERE %s AND RES_DELETED_AT IS NULL",
				"RES_ID",
				new MapSqlParameterSource(),
				rs -> {
					if (window.contains(rs.getTimestamp(2).getTime())) {
						result.add(rs.getLong(1));
					}
				});
		return new ArrayList<>(result);
	}

	/**
	 * Resources of the given types whose reference through a Patient-compartment path puts them in
	 * one of the patients' compartments, grouped by type, in pid order. Candidates only: deleted or
	 * out-of-window resources are dropped when read. The filtering happens here rather than in SQL
	 * because H2 evaluates long IN-lists of strings row by row, and the bare scan stays on one index.
	 */
	public Map<String, TreeSet<Long>> referencingResources(
			List<Long> patientPids, Collection<String> types, PatientCompartment compartment) {
		Map<String, TreeSet<Long>> result = new TreeMap<>();
		if (types.isEmpty()) {
			return result;
		}
		forEachBatch(
				patientPids,
				"SELECT l.SRC_RESOURCE_ID, l.SRC_PATH FROM " + PIDS_TABLE
						+ " JOIN HFJ_RES_LINK l ON l.TARGET_RESOURCE_ID = s.PID",
				"SELECT SRC_RESOURCE_ID, SRC_PATH FROM HFJ_RES_LINK WHERE %s",
				"TARGET_RESOURCE_ID",
				new MapSqlParameterSource(),
				rs -> {
					String type = compartment.typeOfPath(rs.getString(2));
					if (type != null && types.contains(type)) {
						result.computeIfAbsent(type, t -> new TreeSet<>()).add(rs.getLong(1));
					}
				});
		return result;
	}

	/** Resources of the given types that the given resources reference, grouped by type. */
	public Map<String, TreeSet<Long>> referencedResources(List<Long> sourcePids, Collection<String> targetTypes) {
		Map<String, TreeSet<Long>> result = new TreeMap<>();
		if (targetTypes.isEmpty()) {
			return result;
		}
		RowCallbackHandler collect = rs -> {
			String type = rs.getString(2);
			if (targetTypes.contains(type)) {
				result.computeIfAbsent(type, t -> new TreeSet<>()).add(rs.getLong(1));
			}
		};
		forEachBatch(
				sourcePids,
				"SELECT l.TARGET_RESOURCE_ID, l.TARGET_RESOURCE_TYPE FROM " + PIDS_TABLE
						+ " JOIN HFJ_RES_LINK l ON l.SRC_RESOURCE_ID = s.PID WHERE l.TARGET_RESOURCE_ID IS NOT NULL",
				// The database keeps the few distinct targets of the wanted types: on PostgreSQL the links of
				// 52,000 resources are 223,000 rows, their referenced targets a few hundred.
				"SELECT DISTINCT TARGET_RESOURCE_ID, TARGET_RESOURCE_TYPE FROM HFJ_RES_LINK"
						+ " WHERE %s AND TARGET_RESOURCE_TYPE IN (:types) AND TARGET_RESOURCE_ID IS NOT NULL",
				"SRC_RESOURCE_ID",
				new MapSqlParameterSource("types", targetTypes),
				collect);
		return result;
	}

	/**
	 * Runs a query once per batch of pids, bound as {@link PidBatches} says: on H2 {@code h2Sql}, which
	 * joins the batch as {@link #PIDS_TABLE}; elsewhere {@code sql}, whose {@code %s} becomes
	 * "{@code column} is one of the batch" (an array on PostgreSQL, an IN-list on other databases).
	 */
	private void forEachBatch(
			List<Long> pids, String h2Sql, String sql, String column, MapSqlParameterSource params, RowCallbackHandler rows) {
		String query = pidBatches.form() == PidBatches.Form.H2_JOIN ? h2Sql : String.format(sql, pidBatches.in(column));
		for (List<Long> batch : pidBatches.batches(pids)) {
			jdbc.query(query, new MapSqlParameterSource(params.getValues()).addValue("pids", pidBatches.bind(batch)), rows);
		}
	}

	/** A Provenance that targets one of the given resources: its pid, the target's pid and its lastUpdated. */
	public record ProvenanceLink(long provenancePid, long targetPid, long updated) {}

	/** Live Provenance whose {@code target} references one of the given resources, updated within the window. */
	public List<ProvenanceLink> provenanceTargeting(List<Long> targetPids, UpdatedWindow window) {
		List<ProvenanceLink> links = new ArrayList<>();
		String joinAndFilter = " JOIN HFJ_RESOURCE r ON r.RES_ID = l.SRC_RESOURCE_ID"
				+ " WHERE l.SRC_PATH = 'Provenance.target' AND r.RES_DELETED_AT IS NULL";
		forEachBatch(
				targetPids,
				"SELECT l.SRC_RESOURCE_ID, l.TARGET_RESOURCE_ID, r.RES_UPDATED FROM " + PIDS_TABLE
						+ " JOIN HFJ_RES_LINK l ON l.TARGET_RESOURCE_ID = s.PID" + joinAndFilter,
				"SELECT l.SRC_RESOURCE_ID, l.TARGET_RESOURCE_ID, r.RES_UPDATED FROM HFJ_RES_LINK l" + joinAndFilter
						+ " AND %s",
				"l.TARGET_RESOURCE_ID",
				new MapSqlParameterSource(),
				rs -> {
					long updated = rs.getTimestamp(3).getTime();
					if (window.contains(updated)) {
						links.add(new ProvenanceLink(rs.getLong(1), rs.getLong(2), updated));
					}
				});
		return links;
	}

	/** How many targets each of the given Provenance resources has. */
	public Map<Long, Integer> provenanceTargetCounts(Collection<Long> provenancePids) {
		Map<Long, Integer> counts = new HashMap<>();
		forEachBatch(
				new ArrayList<>(provenancePids),
				"SELECT l.SRC_RESOURCE_ID, COUNT(*) FROM " + PIDS_TABLE
						+ " JOIN HFJ_RES_LINK l ON l.SRC_RESOURCE_ID = s.PID"
						+ " WHERE l.SRC_PATH = 'Provenance.target' GROUP BY l.SRC_RESOURCE_ID",
				"SELECT SRC_RESOURCE_ID, COUNT(*) FROM HFJ_RES_LINK WHERE %s"
						+ " AND SRC_PATH = 'Provenance.target' GROUP BY SRC_RESOURCE_ID",
				"SRC_RESOURCE_ID",
				new MapSqlParameterSource(),
				rs -> {
					counts.put(rs.getLong(1), rs.getInt(2));
				});
		return counts;
	}
}
