package org.bulkfhir.read;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's tag definitions ({@code HFJ_TAG_DEF}) by id, each read once. A definition row is never
 * changed once written (HAPI adds a new row for a new combination), so a cached one stays right;
 * the cache is bounded and simply starts over when full. The export then reads only the pairs
 * (version or resource, tag id) per batch instead of the definitions' text for every tagged resource.
 */
public class TagDefinitions {

	private static final int MAX_CACHED = 20_000;

	private final NamedParameterJdbcTemplate jdbc;
	private final PidBatches batches;
	private final Map<Long, StoredTag> cache = new ConcurrentHashMap<>();

	public TagDefinitions(NamedParameterJdbcTemplate jdbc, PidBatches batches) {
		this.jdbc = jdbc;
		this.batches = batches;
	}

	/** The definitions of the given ids; an id without a definition (deleted) is left out, as HAPI's read does. */
	public Map<Long, StoredTag> get(Collection<Long> tagIds) {
		Map<Long, StoredTag> result = new HashMap<>();
		List<Long> missing = new ArrayList<>();
		for (Long id : tagIds) {
			StoredTag tag = cache.get(id);
			if (tag != null) {
				result.put(id, tag);
			} else if (!result.containsKey(id)) {
				missing.add(id);
			}
		}
		if (!missing.isEmpty()) {
			load(missing, result);
		}
		return result;
	}

	private void load(List<Long> ids, Map<Long, StoredTag> result) {
		if (cache.size() + ids.size() > MAX_CACHED) {
			cache.clear();
		}
		String sql = batches.form() == PidBatches.Form.H2_JOIN
				? "SELECT d.TAG_ID, d.TAG_TYPE, d.TAG_SYSTEM, d.TAG_CODE, d.TAG_DISPLAY, d.TAG_VERSION, d.TAG_USER_SELECTED"
						+ " FROM " + PidBatches.H2_TABLE + " JOIN HFJ_TAG_DEF d ON d.TAG_ID = s.PID"
				: "SELECT d.TAG_ID, d.TAG_TYPE, d.TAG_SYSTEM, d.TAG_CODE, d.TAG_DISPLAY, d.TAG_VERSION, d.TAG_USER_SELECTED"
						+ " FROM HFJ_TAG_DEF d WHERE " + batches.in("d.TAG_ID");
		for (List<Long> batch : batches.batches(ids)) {
			jdbc.query(sql, new MapSqlParameterSource("pids", batches.bind(batch)), (ResultSet rs) -> {
				Object userSelected = rs.getObject("TAG_USER_SELECTED");
				StoredTag tag = StoredTag.of(
						rs.getInt("TAG_TYPE"),
						rs.getString("TAG_SYSTEM"),
						rs.getString("TAG_CODE"),
						rs.getString("TAG_DISPLAY"),
						rs.getString("TAG_VERSION"),
						userSelected == null ? null : rs.getBoolean("TAG_USER_SELECTED"));
				cache.put(rs.getLong("TAG_ID"), tag);
				result.put(rs.getLong("TAG_ID"), tag);
			});
		}
	}
}
