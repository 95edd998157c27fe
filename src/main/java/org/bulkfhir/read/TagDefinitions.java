package org.bulkfhir.read;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's tag definitions ({@code HFJ_TAG_DEF}) by id, each read once, and the {@code meta} fragment
 * of each set of them rendered once ({@link #metaFragments}). A definition row is never changed once
 * written (HAPI adds a new row for a new combination), so a cached one stays right; the caches are
 * bounded and simply start over when full. The export then reads only the pairs (version or resource,
 * tag id) per batch instead of the definitions' text for every tagged resource, and most resources
 * share one of a few sets (a profile and a tag or two): each is rendered, sorted as HAPI's read sorts
 * them, once, not per resource.
 */
public class TagDefinitions {

	private static final int MAX_CACHED = 20_000;
	private static final int MAX_FRAGMENTS = 10_000;

	private final NamedParameterJdbcTemplate jdbc;
	private final PidBatches batches;
	private final Map<Long, StoredTag> cache = new ConcurrentHashMap<>();
	private final Map<IdSet, String> fragments = new ConcurrentHashMap<>();

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

	/**
	 * For each set of tag ids (null: none), what it adds to a {@code meta} object:
	 * {@code ,"profile":[…],"security":[…],"tag":[…]} as {@link StoredTag#appendMeta} renders them (empty
	 * when none of the ids has a definition HAPI would encode), or null. The arrays are sorted in place.
	 */
	public String[] metaFragments(long[][] tagIdSets) {
		String[] result = new String[tagIdSets.length];
		Map<Integer, IdSet> unrendered = new HashMap<>();
		for (int i = 0; i < tagIdSets.length; i++) {
			long[] ids = tagIdSets[i];
			if (ids == null) {
				continue;
			}
			Arrays.sort(ids);
			IdSet set = new IdSet(ids);
			String fragment = fragments.get(set);
			if (fragment != null) {
				result[i] = fragment;
			} else {
				unrendered.put(i, set);
			}
		}
		if (!unrendered.isEmpty()) {
			Set<Long> ids = new HashSet<>();
			unrendered.values().forEach(set -> Arrays.stream(set.ids).forEach(ids::add));
			Map<Long, StoredTag> definitions = get(ids);
			if (fragments.size() + unrendered.size() > MAX_FRAGMENTS) {
				fragments.clear();
			}
			unrendered.forEach((i, set) -> result[i] = fragments.computeIfAbsent(set, s -> render(s, definitions)));
		}
		return result;
	}

	private static String render(IdSet set, Map<Long, StoredTag> definitions) {
		List<StoredTag> tags = new ArrayList<>(set.ids.length);
		for (long id : set.ids) {
			StoredTag tag = definitions.get(id);
			if (tag != null) {
				tags.add(tag);
			}
		}
		StringBuilder fragment = new StringBuilder();
		StoredTag.appendMeta(fragment, tags);
		return fragment.toString();
	}

	/** A sorted set of tag ids, as a map key. */
	private record IdSet(long[] ids) {
		@Override
		public boolean equals(Object other) {
			return other instanceof IdSet set && Arrays.equals(ids, set.ids);
		}

		@Override
		public int hashCode() {
			return Arrays.hashCode(ids);
		}

		@Override
		public String toString() {
			return Arrays.toString(ids);
		}
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
