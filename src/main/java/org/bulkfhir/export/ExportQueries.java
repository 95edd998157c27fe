package org.bulkfhir.export;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Timestamp;
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

	private final NamedParameterJdbcTemplate jdbc;

	public ExportQueries(NamedParameterJdbcTemplate jdbc) {
		this.jdbc = jdbc;
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

	/** FHIR ids of the given pids. */
	public Map<Long, String> fhirIds(List<Long> pids) {
		Map<Long, String> result = new HashMap<>();
		for (List<Long> batch : batches(pids)) {
			jdbc.query(
					"SELECT RES_ID, FHIR_ID FROM HFJ_RESOURCE WHERE RES_ID IN (:pids)",
					new MapSqlParameterSource("pids", batch),
					rs -> {
						result.put(rs.getLong(1), rs.getString(2));
					});
		}
		return result;
	}

	/** The next page of live pids of one type after {@code afterPid}, in pid order. */
	public List<Long> nextPids(String resourceType, long afterPid, int limit) {
		return jdbc.queryForList(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID > :after"
						+ " AND RES_DELETED_AT IS NULL ORDER BY RES_ID FETCH FIRST " + limit + " ROWS ONLY",
				new MapSqlParameterSource("type", resourceType).addValue("after", afterPid),
				Long.class);
	}

	/** Live pids of one type within [from, to], updated within the bounds, in pid order. */
	public List<Long> pidsInRange(String resourceType, long fromPid, long toPid, Long since, long until) {
		MapSqlParameterSource params = new MapSqlParameterSource("type", resourceType)
				.addValue("from", fromPid)
				.addValue("to", toPid)
				.addValue("until", new Timestamp(until));
		String sql = "SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND RES_ID BETWEEN :from AND :to"
				+ " AND RES_DELETED_AT IS NULL AND RES_UPDATED <= :until";
		if (since != null) {
			sql += " AND RES_UPDATED >= :since";
			params.addValue("since", new Timestamp(since));
		}
		return jdbc.queryForList(sql + " ORDER BY RES_ID", params, Long.class);
	}

	/** Keeps those of {@code pids} that are live and updated within the bounds, in pid order. */
	public List<Long> filterUpdated(List<Long> pids, Long since, long until) {
		TreeSet<Long> result = new TreeSet<>();
		for (List<Long> batch : batches(pids)) {
			MapSqlParameterSource params =
					new MapSqlParameterSource("pids", batch).addValue("until", new Timestamp(until));
			String sql = "SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_ID IN (:pids) AND RES_DELETED_AT IS NULL"
					+ " AND RES_UPDATED <= :until";
			if (since != null) {
				sql += " AND RES_UPDATED >= :since";
				params.addValue("since", new Timestamp(since));
			}
			result.addAll(jdbc.queryForList(sql, params, Long.class));
		}
		return new ArrayList<>(result);
	}

	/**
	 * Resources of the given types that reference one of the patients through one of the given
	 * reference paths (the Patient-compartment paths), grouped by type, in pid order.
	 */
	public Map<String, TreeSet<Long>> referencingResources(
			List<Long> patientPids, Collection<String> types, Collection<String> paths, Long since, long until) {
		Map<String, TreeSet<Long>> result = new TreeMap<>();
		if (types.isEmpty() || paths.isEmpty()) {
			return result;
		}
		for (List<Long> batch : batches(patientPids)) {
			MapSqlParameterSource params = new MapSqlParameterSource("patients", batch)
					.addValue("types", types)
					.addValue("paths", paths)
					.addValue("until", new Timestamp(until));
			String sql = "SELECT DISTINCT l.SRC_RESOURCE_ID, l.SOURCE_RESOURCE_TYPE FROM HFJ_RES_LINK l"
					+ " JOIN HFJ_RESOURCE r ON r.RES_ID = l.SRC_RESOURCE_ID"
					+ " WHERE l.TARGET_RESOURCE_ID IN (:patients) AND l.SOURCE_RESOURCE_TYPE IN (:types)"
					+ " AND l.SRC_PATH IN (:paths) AND r.RES_DELETED_AT IS NULL AND r.RES_UPDATED <= :until";
			if (since != null) {
				sql += " AND r.RES_UPDATED >= :since";
				params.addValue("since", new Timestamp(since));
			}
			jdbc.query(sql, params, rs -> {
				result.computeIfAbsent(rs.getString(2), t -> new TreeSet<>()).add(rs.getLong(1));
			});
		}
		return result;
	}

	/** Resources of the given types that the given resources reference, grouped by type. */
	public Map<String, TreeSet<Long>> referencedResources(List<Long> sourcePids, Collection<String> targetTypes) {
		Map<String, TreeSet<Long>> result = new TreeMap<>();
		if (targetTypes.isEmpty()) {
			return result;
		}
		for (List<Long> batch : batches(sourcePids)) {
			jdbc.query(
					"SELECT DISTINCT TARGET_RESOURCE_ID, TARGET_RESOURCE_TYPE FROM HFJ_RES_LINK"
							+ " WHERE SRC_RESOURCE_ID IN (:sources) AND TARGET_RESOURCE_TYPE IN (:types)"
							+ " AND TARGET_RESOURCE_ID IS NOT NULL",
					new MapSqlParameterSource("sources", batch).addValue("types", targetTypes),
					rs -> {
						result.computeIfAbsent(rs.getString(2), t -> new TreeSet<>()).add(rs.getLong(1));
					});
		}
		return result;
	}

	/** A Provenance that targets one of the given resources: its pid, the target's pid and its lastUpdated. */
	public record ProvenanceLink(long provenancePid, long targetPid, long updated) {}

	/** Live Provenance whose {@code target} references one of the given resources, updated within the bounds. */
	public List<ProvenanceLink> provenanceTargeting(List<Long> targetPids, Long since, long until) {
		List<ProvenanceLink> links = new ArrayList<>();
		for (List<Long> batch : batches(targetPids)) {
			MapSqlParameterSource params =
					new MapSqlParameterSource("targets", batch).addValue("until", new Timestamp(until));
			String sql = "SELECT l.SRC_RESOURCE_ID, l.TARGET_RESOURCE_ID, r.RES_UPDATED FROM HFJ_RES_LINK l"
					+ " JOIN HFJ_RESOURCE r ON r.RES_ID = l.SRC_RESOURCE_ID"
					+ " WHERE l.TARGET_RESOURCE_ID IN (:targets) AND l.SOURCE_RESOURCE_TYPE = 'Provenance'"
					+ " AND l.SRC_PATH = 'Provenance.target' AND r.RES_DELETED_AT IS NULL AND r.RES_UPDATED <= :until";
			if (since != null) {
				sql += " AND r.RES_UPDATED >= :since";
				params.addValue("since", new Timestamp(since));
			}
			jdbc.query(sql, params, rs -> {
				links.add(new ProvenanceLink(rs.getLong(1), rs.getLong(2), rs.getTimestamp(3).getTime()));
			});
		}
		return links;
	}

	/** How many targets each of the given Provenance resources has. */
	public Map<Long, Integer> provenanceTargetCounts(Collection<Long> provenancePids) {
		List<Long> pids = new ArrayList<>(provenancePids);
		Map<Long, Integer> counts = new HashMap<>();
		for (List<Long> batch : batches(pids)) {
			jdbc.query(
					"SELECT SRC_RESOURCE_ID, COUNT(*) FROM HFJ_RES_LINK WHERE SRC_RESOURCE_ID IN (:pids)"
							+ " AND SRC_PATH = 'Provenance.target' GROUP BY SRC_RESOURCE_ID",
					new MapSqlParameterSource("pids", batch),
					rs -> {
						counts.put(rs.getLong(1), rs.getInt(2));
					});
		}
		return counts;
	}
}
