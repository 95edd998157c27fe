package org.bulkfhir.read;

import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.bulkfhir.read.StoredResourceReader.batches;

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

	/** Resource types with at least one resource not deleted at {@code asOf} (the transaction time). */
	public List<String> typesWithData(long asOf) {
		return jdbc.queryForList(
				"SELECT DISTINCT RES_TYPE FROM HFJ_RESOURCE WHERE RES_DELETED_AT IS NULL OR RES_DELETED_AT > :asOf",
				asOf(asOf), String.class);
	}

	private static MapSqlParameterSource asOf(long asOf) {
		return new MapSqlParameterSource("asOf", new Timestamp(asOf));
	}

	/**
	 * Patient pids for the given FHIR ids, in pid order: those not deleted at {@code asOf}. Candidates only
	 * (one created after that time is left out when read).
	 */
	public List<Long> patientPids(Collection<String> fhirIds, long asOf) {
		List<String> ids = new ArrayList<>(fhirIds);
		TreeSet<Long> result = new TreeSet<>();
		for (List<String> batch : batches(ids)) {
			result.addAll(jdbc.queryForList(
					"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID IN (:ids)"
							+ " AND (RES_DELETED_AT IS NULL OR RES_DELETED_AT > :asOf)",
					asOf(asOf).addValue("ids", batch),
					Long.class));
		}
		return new ArrayList<>(result);
	}

	/** The pids of the resources of one type with the given FHIR ids (deleted ones included). */
	public List<Long> pidsOf(String resourceType, Collection<String> fhirIds) {
		List<Long> pids = new ArrayList<>();
		for (List<String> batch : batches(new ArrayList<>(fhirIds))) {
			pids.addAll(jdbc.queryForList("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND FHIR_ID IN (:ids)",
					new MapSqlParameterSource("type", resourceType).addValue("ids", batch), Long.class));
		}
		return pids;
	}

	/** The FHIR ids of the given resources (organizeOutputBy: the patients named in block headers). */
	public Map<Long, String> fhirIds(Collection<Long> pids) {
		Map<Long, String> ids = new HashMap<>();
		for (List<Long> batch : batches(new ArrayList<>(pids))) {
			jdbc.query("SELECT RES_ID, FHIR_ID FROM HFJ_RESOURCE WHERE RES_ID IN (:pids)",
					new MapSqlParameterSource("pids", batch),
					rs -> {
						ids.put(rs.getLong(1), rs.getString(2));
					});
		}
		return ids;
	}

	/** Those of the given Patient FHIR ids that name a Patient not deleted at {@code asOf}. */
	public Set<String> existingPatientIds(Collection<String> fhirIds, long asOf) {
		Set<String> existing = new HashSet<>();
		for (List<String> batch : batches(new ArrayList<>(fhirIds))) {
			existing.addAll(jdbc.queryForList(
					"SELECT FHIR_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID IN (:ids)"
							+ " AND (RES_DELETED_AT IS NULL OR RES_DELETED_AT > :asOf)",
					asOf(asOf).addValue("ids", batch),
					String.class));
		}
		return existing;
	}

	/** The next page of pids of one type not deleted at {@code asOf}, after {@code afterPid}, in pid order. */
	public List<Long> nextPids(String resourceType, long afterPid, int limit, long asOf) {
		return jdbc.queryForList(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID > :after"
						+ " AND (RES_DELETED_AT IS NULL OR RES_DELETED_AT > :asOf) ORDER BY RES_ID FETCH FIRST " + limit + " ROWS ONLY",
				asOf(asOf).addValue("type", resourceType).addValue("after", afterPid),
				Long.class);
	}

	/**
	 * Pids of one type within [from, to] that may be exported, in pid order: not deleted at the window's
	 * snapshot time, and updated within the window unless changed since that time (then their version at
	 * that time decides, when read).
	 */
	public List<Long> pidsInRange(String resourceType, long fromPid, long toPid, UpdatedWindow window) {
		List<Long> result = new ArrayList<>();
		jdbc.query(
				"SELECT RES_ID, RES_UPDATED FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID BETWEEN :from AND :to"
						+ " AND (RES_DELETED_AT IS NULL OR RES_DELETED_AT > :asOf) ORDER BY RES_ID",
				asOf(window.asOf()).addValue("type", resourceType).addValue("from", fromPid).addValue("to", toPid),
				rs -> {
					long updated = rs.getTimestamp(2).getTime();
					if (!window.currentIsSnapshot(updated) || window.contains(updated)) {
						result.add(rs.getLong(1));
					}
				});
		return result;
	}

	/**
	 * Keeps those of {@code pids} whose version at the window's snapshot time exists, is not deleted and
	 * was updated within the window, in pid order: what the reader would export, without reading it.
	 */
	public List<Long> filterUpdated(List<Long> pids, UpdatedWindow window) {
		TreeSet<Long> result = new TreeSet<>();
		List<Long> changed = new ArrayList<>();
		forEachBatch(
				pids,
				"SELECT r.RES_ID, r.RES_UPDATED, r.RES_DELETED_AT FROM " + PIDS_TABLE
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = s.PID",
				"SELECT RES_ID, RES_UPDATED, RES_DELETED_AT FROM HFJ_RESOURCE WHERE %s",
				"RES_ID",
				new MapSqlParameterSource(),
				rs -> {
					long updated = rs.getTimestamp(2).getTime();
					if (!window.currentIsSnapshot(updated)) {
						changed.add(rs.getLong(1));
					} else if (rs.getTimestamp(3) == null && window.contains(updated)) {
						result.add(rs.getLong(1));
					}
				});
		String atSnapshot = " JOIN HFJ_RES_VER v ON v.RES_ID = r.RES_ID AND v.RES_VER = (SELECT MAX(h.RES_VER)"
				+ " FROM HFJ_RES_VER h WHERE h.RES_ID = r.RES_ID AND h.RES_UPDATED <= :asOf)";
		forEachBatch(
				changed,
				"SELECT r.RES_ID, v.RES_UPDATED, v.RES_DELETED_AT FROM " + PIDS_TABLE
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = s.PID" + atSnapshot,
				"SELECT r.RES_ID, v.RES_UPDATED, v.RES_DELETED_AT FROM HFJ_RESOURCE r" + atSnapshot + " WHERE %s",
				"r.RES_ID",
				asOf(window.asOf()),
				rs -> {
					if (rs.getTimestamp(3) == null && window.contains(rs.getTimestamp(2).getTime())) {
						result.add(rs.getLong(1));
					}
				});
		return new ArrayList<>(result);
	}

	/**
	 * Of the given resources, those that reference more than one Patient (through any path): they may
	 * be in several patients' compartments, which different work chunks export. One index lookup per
	 * resource ({@code IDX_RL_SRC}); only the few such resources come back.
	 */
	public Set<Long> referencingSeveralPatients(List<Long> pids) {
		Set<Long> result = new HashSet<>();
		forEachBatch(
				pids,
				"SELECT l.SRC_RESOURCE_ID FROM " + PIDS_TABLE + " JOIN HFJ_RES_LINK l ON l.SRC_RESOURCE_ID = s.PID"
						+ " WHERE l.TARGET_RESOURCE_TYPE = 'Patient' GROUP BY l.SRC_RESOURCE_ID"
						+ " HAVING COUNT(DISTINCT l.TARGET_RESOURCE_ID) > 1",
				"SELECT SRC_RESOURCE_ID FROM HFJ_RES_LINK WHERE %s AND TARGET_RESOURCE_TYPE = 'Patient'"
						+ " GROUP BY SRC_RESOURCE_ID HAVING COUNT(DISTINCT TARGET_RESOURCE_ID) > 1",
				"SRC_RESOURCE_ID",
				new MapSqlParameterSource(),
				rs -> {
					result.add(rs.getLong(1));
				});
		return result;
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
		// HAPI links a resource to its patient once per search parameter path (X.subject and
		// X.subject.where(resolve() is Patient)): the pids are gathered unsorted and sorted once, not each
		// put into a tree (that, and looking up the path's type, were a fifth of a chunk's own time).
		Map<String, String> typeOfPath = new HashMap<>();
		Map<String, LongList> pidsByType = new HashMap<>();
		forEachBatch(
				patientPids,
				"SELECT l.SRC_RESOURCE_ID, l.SRC_PATH FROM " + PIDS_TABLE
						+ " JOIN HFJ_RES_LINK l ON l.TARGET_RESOURCE_ID = s.PID",
				"SELECT SRC_RESOURCE_ID, SRC_PATH FROM HFJ_RES_LINK WHERE %s",
				"TARGET_RESOURCE_ID",
				new MapSqlParameterSource(),
				rs -> {
					String type = typeOfPath.computeIfAbsent(rs.getString(2), path -> {
						String t = compartment.typeOfPath(path);
						return t != null && types.contains(t) ? t : "";
					});
					if (!type.isEmpty()) {
						pidsByType.computeIfAbsent(type, t -> new LongList()).add(rs.getLong(1));
					}
				});
		pidsByType.forEach((type, pids) -> result.put(type, pids.sortedSet()));
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

	/**
	 * Provenance not changed since the window's snapshot time whose {@code target} references one of the
	 * given resources, updated within the window. Those changed since are {@link Snapshot}'s to find.
	 */
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
					if (window.currentIsSnapshot(updated) && window.contains(updated)) {
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
