package org.bulkfhir.read;

import ca.uhn.fhir.jpa.model.entity.StorageSettings.TagStorageModeEnum;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads stored resource versions as JSON text, straight from HAPI's tables.
 *
 * <p>HAPI stores each version's JSON without {@code id} and {@code meta}: it keeps versionId and
 * lastUpdated in {@code HFJ_RES_VER}, {@code meta.source} in its {@code SOURCE_URI}/{@code REQUEST_ID},
 * and tags, security labels and profiles in its tag tables. Per batch of resources this reader reads
 * those tags in one query ({@link StoredTag}), then streams the stored text of the versions and splices
 * {@code id} and {@code meta} back in, so that each line equals what HAPI's read returns (a {@code meta}
 * kept in the text because it has extensions is kept, the rest spliced in after them). A version whose
 * stored form is anything else (compressed or external body, a {@code meta} in the text with more than
 * extensions — tags in INLINE mode — or unexpected text) is read by {@link HapiBatchReader}, all of a
 * batch's together.
 *
 * <p>Each resource is read in its version at the export's transaction time: the current version when
 * the resource has not changed since ({@code HFJ_RESOURCE.RES_UPDATED} no later), otherwise the newest
 * version of its history updated no later ({@link #AT_SNAPSHOT}). The tags are looked up by the version's
 * pid where HAPI keeps them per version (VERSIONED mode), by the resource's pid where it keeps one set
 * per resource (NON_VERSIONED: HAPI keeps only the current tags, so an older version is exported with
 * the tags the resource has now), and the fallback loads versions by their pid.
 */
public class StoredResourceReader {

	public static final int IN_LIST_LIMIT = 500;

	/** Consecutive slices of at most {@link #IN_LIST_LIMIT} elements: SQL IN-lists stay bounded. */
	public static <T> List<List<T>> batches(List<T> values) {
		return batches(values, IN_LIST_LIMIT);
	}

	public static <T> List<List<T>> batches(List<T> values, int size) {
		List<List<T>> batches = new ArrayList<>();
		for (int start = 0; start < values.size(); start += size) {
			batches.add(values.subList(start, Math.min(values.size(), start + size)));
		}
		return batches;
	}

	/**
	 * One version of each resource of the batch ({@code %1$s}: HFJ_RESOURCE r of the batch, {@code %2$s}: the
	 * stored text column, {@code %3$s}: the batch's condition, if any, {@code %4$s}: the version's tag ids as
	 * an array, or NULL, {@code %5$s}: which version: {@link #CURRENT} or {@link #AT_SNAPSHOT}). Deleted
	 * resources are included: whether a resource deleted now was live at the snapshot time is decided per row.
	 */
	private static final String VERSIONS = "SELECT r.RES_ID, r.RES_TYPE, r.FHIR_ID, r.HAS_TAGS, v.PID AS VER_PID,"
			+ " v.RES_VER, v.HAS_TAGS AS VER_HAS_TAGS, v.RES_UPDATED, v.RES_DELETED_AT, v.RES_ENCODING,"
			+ " %2$s AS RES_TEXT_VC, v.SOURCE_URI, v.REQUEST_ID, %4$s AS TAG_IDS"
			+ " FROM %1$s JOIN HFJ_RES_VER v ON v.RES_ID = r.RES_ID AND %5$s%3$s ORDER BY r.RES_ID";

	/** The current version: for every resource not changed since the snapshot time, the version at that time. */
	private static final String CURRENT = "v.RES_VER = r.RES_VER";

	/**
	 * The newest version updated no later than the snapshot time ({@code :asOf}): one lookup in HAPI's
	 * (RES_ID, RES_UPDATED) index of HFJ_RES_VER per resource. Versions are numbered in time order. A
	 * resource created after that time has none and is left out by the join.
	 */
	private static final String AT_SNAPSHOT = "v.RES_VER = (SELECT MAX(h.RES_VER) FROM HFJ_RES_VER h"
			+ " WHERE h.RES_ID = r.RES_ID AND h.RES_UPDATED <= :asOf)";

	/**
	 * The tag ids of a row as an array, on H2: one index lookup per tagged version (HFJ_HISTORY_TAG by
	 * version pid, HFJ_RES_TAG by resource pid) in the same query as the text. On PostgreSQL such a
	 * sub-select costs as much as the rest of the row (22 ms against 12 ms for 2,000 Observations); the
	 * pairs of the batch's tagged rows come from one query instead ({@link #TAGS}, 3.5 ms).
	 */
	private static final String VERSION_TAG_IDS =
			"CASE WHEN v.HAS_TAGS THEN ARRAY(SELECT t.TAG_ID FROM HFJ_HISTORY_TAG t WHERE t.RES_VER_PID = v.PID) END";
	private static final String RESOURCE_TAG_IDS =
			"CASE WHEN r.HAS_TAGS THEN ARRAY(SELECT t.TAG_ID FROM HFJ_RES_TAG t WHERE t.RES_ID = r.RES_ID) END";

	/**
	 * The tag ids of the batch's tagged rows ({@code %1$s}: the key, {@code %2$s}: the tag table t, with
	 * the keys as {@code :pids}). VERSIONED keys them by version pid: every version has its own
	 * (HFJ_HISTORY_TAG); NON_VERSIONED by resource pid: one set per resource (HFJ_RES_TAG). Both are the
	 * leading column of HAPI's unique (key, TAG_ID) index: an index-only scan, in key order (each key's ids gathered
	 * into one array, no boxed list per key). The definitions and the rendered fragments come from
	 * {@link TagDefinitions}. For databases other than H2, which reads them with the text
	 * ({@link #VERSION_TAG_IDS}).
	 */
	private static final String TAGS = "SELECT %1$s AS TAG_KEY, t.TAG_ID FROM %2$s t WHERE %3$s ORDER BY %1$s";

	/** Resources per query when the batch is bound as an array (PostgreSQL, H2). */
	static final int ARRAY_BATCH = 2_000;

	/** The columns of {@link #VERSIONS}, read by position (by name, the driver looks each up per row). */
	private static final int RES_ID = 1, RES_TYPE = 2, FHIR_ID = 3, HAS_TAGS = 4, VER_PID = 5, RES_VER = 6,
			VER_HAS_TAGS = 7, RES_UPDATED = 8, RES_DELETED_AT = 9, RES_ENCODING = 10, RES_TEXT_VC = 11,
			SOURCE_URI = 12, REQUEST_ID = 13, TAG_IDS = 14;

	private final StoredTimes times = StoredTimes.inServerZone();
	private final NamedParameterJdbcTemplate jdbc;
	private final HapiBatchReader fallback;
	private final TagStorageModeEnum tagMode;
	private final PidBatches batches;
	private final TagDefinitions tagDefinitions;
	private final String versions;
	private final String versionsAtSnapshot;
	private final String versionTags;
	private final String resourceTags;
	private final String updated;
	/** Tag ids come with each row (H2) rather than from a query of their own. */
	private final boolean tagIdsInRow;

	public StoredResourceReader(NamedParameterJdbcTemplate jdbc, HapiBatchReader fallback, TagStorageModeEnum tagMode) {
		this.jdbc = jdbc;
		this.fallback = fallback;
		this.tagMode = tagMode;
		this.batches = new PidBatches(jdbc, ARRAY_BATCH);
		this.tagDefinitions = new TagDefinitions(jdbc, batches);
		boolean h2 = batches.form() == PidBatches.Form.H2_JOIN;
		this.tagIdsInRow = h2;
		String tagIds = !tagIdsInRow ? "NULL" : switch (tagMode) {
			case VERSIONED -> VERSION_TAG_IDS;
			case NON_VERSIONED -> RESOURCE_TAG_IDS;
			case INLINE -> "NULL";
		};
		String table = h2 ? PidBatches.H2_TABLE + " JOIN HFJ_RESOURCE r ON r.RES_ID = s.PID" : "HFJ_RESOURCE r";
		// H2 hands out a CLOB column as a LOB handle and keeps every handle of a result for its LOB_TIMEOUT
		// (5 minutes): a large export would hold one per resource read. As VARCHAR it is a plain value.
		String text = h2 ? "CAST(v.RES_TEXT_VC AS VARCHAR)" : "v.RES_TEXT_VC";
		String where = h2 ? "" : " WHERE " + batches.in("r.RES_ID");
		this.versions = String.format(VERSIONS, table, text, where, tagIds, CURRENT);
		this.versionsAtSnapshot = String.format(VERSIONS, table, text, where, tagIds, AT_SNAPSHOT);
		this.updated = h2
				? "SELECT r.RES_ID, r.RES_UPDATED FROM " + PidBatches.H2_TABLE + " JOIN HFJ_RESOURCE r ON r.RES_ID = s.PID"
				: "SELECT r.RES_ID, r.RES_UPDATED FROM HFJ_RESOURCE r WHERE " + batches.in("r.RES_ID");
		this.versionTags = h2 ? null : String.format(TAGS, "t.RES_VER_PID", "HFJ_HISTORY_TAG", batches.in("t.RES_VER_PID"));
		this.resourceTags = h2 ? null : String.format(TAGS, "t.RES_ID", "HFJ_RES_TAG", batches.in("t.RES_ID"));
	}

	private MapSqlParameterSource pids(List<Long> batch) {
		return new MapSqlParameterSource("pids", batches.bind(batch));
	}

	/** One exported resource: its pid, type and the complete JSON line (no newline). */
	public record StoredResource(long pid, String type, String fhirId, String json) {}

	/** A resource that could not be read or encoded; the export goes on without it. */
	public record FailedResource(long pid, String type, String message) {}

	/** What one {@link #read} did: resources written, and how many of them HAPI had to read. */
	public record ReadCounts(long written, long readByHapi) {}

	/**
	 * Streams the given resources to {@code sink}, batch by batch, each in its version at the window's
	 * snapshot time ({@link UpdatedWindow#asOf}); those created after it, deleted at it and outside the
	 * window are skipped, and those that cannot be encoded go to {@code failures}.
	 *
	 * <p>The current version is read first; only the resources changed (or deleted) after the snapshot
	 * time, usually none or a few, are read again from their history, in one query per batch.
	 */
	public ReadCounts read(
			List<Long> pids, UpdatedWindow window, Consumer<StoredResource> sink, Consumer<FailedResource> failures) {
		long[] counts = new long[2];
		Consumer<StoredResource> counted = resource -> {
			counts[0]++;
			sink.accept(resource);
		};
		for (List<Long> all : batches.batches(pids)) {
			List<Long> batch = window.since() == null ? all : updatedSince(all, window.since());
			if (batch.isEmpty()) {
				continue;
			}
			List<Row> rows = new ArrayList<>(batch.size());
			List<Long> changed = new ArrayList<>();
			jdbc.query(versions, pids(batch), (ResultSet rs) -> {
				long updated = times.epochMillis(rs.getObject(RES_UPDATED, LocalDateTime.class));
				if (!window.currentIsSnapshot(updated)) {
					changed.add(rs.getLong(RES_ID));
				} else if (rs.getString(RES_DELETED_AT) == null && window.contains(updated)) {
					rows.add(Row.of(rs, updated));
				}
			});
			if (!changed.isEmpty()) {
				jdbc.query(versionsAtSnapshot, pids(changed).addValue("asOf", new Timestamp(window.asOf())),
						(ResultSet rs) -> {
							long updated = times.epochMillis(rs.getObject(RES_UPDATED, LocalDateTime.class));
							if (rs.getString(RES_DELETED_AT) == null && window.contains(updated)) {
								rows.add(Row.of(rs, updated));
							}
						});
			}
			String[] tagMeta = tagDefinitions.metaFragments(tagIdsInRow ? tagsOf(rows) : tags(rows));
			List<HapiBatchReader.Version> forHapi = new ArrayList<>();
			for (int i = 0; i < rows.size(); i++) {
				Row row = rows.get(i);
				StoredResource resource = spliced(row, tagMeta[i]);
				if (resource != null) {
					counted.accept(resource);
				} else {
					forHapi.add(new HapiBatchReader.Version(row.pid, row.type, row.versionPid));
				}
			}
			long before = counts[0];
			fallback.read(forHapi, counted, failures);
			counts[1] += counts[0] - before;
		}
		return new ReadCounts(counts[0], counts[1]);
	}

	/** One row of {@link #VERSIONS}. */
	private record Row(
			long pid,
			String type,
			String fhirId,
			boolean resourceHasTags,
			long versionPid,
			long version,
			boolean versionHasTags,
			long updated,
			String encoding,
			String text,
			String sourceUri,
			String requestId,
			long[] tagIds) {

		static Row of(ResultSet rs, long updated) throws SQLException {
			return new Row(
					rs.getLong(RES_ID),
					rs.getString(RES_TYPE),
					rs.getString(FHIR_ID),
					rs.getBoolean(HAS_TAGS),
					rs.getLong(VER_PID),
					rs.getLong(RES_VER),
					rs.getBoolean(VER_HAS_TAGS),
					updated,
					rs.getString(RES_ENCODING),
					rs.getString(RES_TEXT_VC),
					rs.getString(SOURCE_URI),
					rs.getString(REQUEST_ID),
					longs(rs.getArray(TAG_IDS)));
		}

		boolean hasTags(TagStorageModeEnum mode) {
			return mode == TagStorageModeEnum.VERSIONED ? versionHasTags : mode == TagStorageModeEnum.NON_VERSIONED && resourceHasTags;
		}

		/** The key its tags are stored under in that mode. */
		long key(TagStorageModeEnum mode) {
			return mode == TagStorageModeEnum.NON_VERSIONED ? pid : versionPid;
		}

		private static long[] longs(Array array) throws SQLException {
			if (array == null) {
				return null;
			}
			Object[] values = (Object[]) array.getArray();
			long[] ids = new long[values.length];
			for (int i = 0; i < values.length; i++) {
				ids[i] = ((Number) values[i]).longValue();
			}
			return ids;
		}
	}

	/** The tag ids of each row (null when it has none), as they came with it. */
	private static long[][] tagsOf(List<Row> rows) {
		long[][] tagIds = new long[rows.size()][];
		for (int i = 0; i < rows.size(); i++) {
			long[] ids = rows.get(i).tagIds;
			tagIds[i] = ids != null && ids.length > 0 ? ids : null;
		}
		return tagIds;
	}

	/**
	 * Those of the batch whose resource was updated at or after {@code since}: with {@code _since}
	 * most of a Group's resources are older, and their stored text need not be read at all. A
	 * resource's last update is never before its version's, so no version in the window is lost.
	 * Checked in Java: given a RES_UPDATED bound, H2 would walk its (RES_UPDATED, RES_ID) index.
	 */
	private List<Long> updatedSince(List<Long> batch, long since) {
		List<Long> kept = new ArrayList<>(batch.size());
		jdbc.query(updated, pids(batch), (ResultSet rs) -> {
			if (rs.getTimestamp(2).getTime() >= since) {
				kept.add(rs.getLong(1));
			}
		});
		kept.sort(null);
		return kept;
	}

	/**
	 * The tag ids of each row (null when it has none), read by the rows' keys: version pid (VERSIONED)
	 * or resource pid (NON_VERSIONED). The keys are queried in ascending order, and the pairs come back
	 * in that order, so each key's ids are found by a binary search, without a map of boxed keys.
	 */
	private long[][] tags(List<Row> rows) {
		long[][] tagIds = new long[rows.size()][];
		String sql = switch (tagMode) {
			case VERSIONED -> versionTags;
			case NON_VERSIONED -> resourceTags;
			case INLINE -> null;
		};
		if (sql == null) {
			return tagIds;
		}
		long[] keys = new long[rows.size()];
		int count = 0;
		for (Row row : rows) {
			if (row.hasTags(tagMode)) {
				keys[count++] = row.key(tagMode);
			}
		}
		if (count == 0) {
			return tagIds;
		}
		Arrays.sort(keys, 0, count);
		List<Long> sortedKeys = new ArrayList<>(count);
		int distinct = 0;
		for (int i = 0; i < count; i++) {
			if (i == 0 || keys[i] != keys[i - 1]) {
				keys[distinct++] = keys[i];
				sortedKeys.add(keys[i]);
			}
		}
		keys = Arrays.copyOf(keys, distinct);
		long[][] idsOfKey = new long[distinct][];
		GroupedIds grouped = new GroupedIds(keys, idsOfKey);
		for (List<Long> batch : batches.batches(sortedKeys)) {
			jdbc.query(sql, pids(batch), (ResultSet rs) -> grouped.add(rs.getLong(1), rs.getLong(2)));
		}
		grouped.finish();
		for (int i = 0; i < rows.size(); i++) {
			Row row = rows.get(i);
			if (row.hasTags(tagMode)) {
				tagIds[i] = idsOfKey[Arrays.binarySearch(keys, row.key(tagMode))];
			}
		}
		return tagIds;
	}

	/** Gathers (key, id) pairs that come ordered by key into one array of ids per key of {@code keys}. */
	private static final class GroupedIds {
		private final long[] keys;
		private final long[][] idsOfKey;
		private int keyIndex = -1;
		private long[] ids = new long[8];
		private int count;

		GroupedIds(long[] keys, long[][] idsOfKey) {
			this.keys = keys;
			this.idsOfKey = idsOfKey;
		}

		void add(long rowKey, long id) {
			if (keyIndex < 0 || rowKey != keys[keyIndex]) {
				finish();
				keyIndex = Arrays.binarySearch(keys, rowKey);
			}
			if (count == ids.length) {
				ids = Arrays.copyOf(ids, count * 2);
			}
			ids[count++] = id;
		}

		void finish() {
			if (count > 0) {
				idsOfKey[keyIndex] = Arrays.copyOf(ids, count);
				count = 0;
			}
		}
	}

	/** The line for this row, or null when HAPI has to read it. */
	private StoredResource spliced(Row row, String tagMeta) {
		String text = row.text;
		if (text == null || !"JSON".equals(row.encoding)) {
			return null;
		}
		String prefix = "{\"resourceType\":\"" + row.type + "\"";
		if (!text.startsWith(prefix)) {
			return null;
		}
		char next = text.length() > prefix.length() ? text.charAt(prefix.length()) : ' ';
		if (next != ',' && next != '}') {
			return null;
		}
		// HAPI writes meta first after resourceType (id is never stored): a stored meta (its extensions, or
		// tags in INLINE mode) is at this place if anywhere. One holding only extensions is kept as it is.
		int rest = prefix.length();
		String metaExtensions = null;
		if (text.startsWith(",\"meta\"", rest)) {
			int extensions = rest + META_EXTENSIONS.length();
			int end = text.startsWith(META_EXTENSIONS, rest) ? endOfArray(text, extensions - 1) : -1;
			if (end < 0 || end + 1 >= text.length() || text.charAt(end + 1) != '}') {
				return null;
			}
			metaExtensions = text.substring(rest + ",\"meta\":{".length(), end + 1);
			rest = end + 2;
		}
		StringBuilder line = new StringBuilder(text.length() + 160 + (tagMeta == null ? 0 : tagMeta.length()));
		line.append(prefix).append(",\"id\":\"");
		StoredTag.quote(line, row.fhirId);
		line.append("\",\"meta\":{");
		if (metaExtensions != null) {
			line.append(metaExtensions).append(',');
		}
		line.append("\"versionId\":\"").append(row.version).append("\",\"lastUpdated\":\"");
		times.appendLastUpdated(line, row.updated).append('"');
		String source = source(row.sourceUri, row.requestId);
		if (source != null) {
			line.append(",\"source\":\"");
			StoredTag.quote(line, source);
			line.append('"');
		}
		if (tagMeta != null) {
			line.append(tagMeta);
		}
		line.append('}');
		line.append(text, rest, text.length());
		return new StoredResource(row.pid, row.type, row.fhirId, line.toString());
	}

	/** How a stored meta that starts with its extensions begins. */
	private static final String META_EXTENSIONS = ",\"meta\":{\"extension\":[";

	/** The index of the ']' that closes the JSON array opened at {@code open}, or -1. */
	static int endOfArray(String json, int open) {
		int depth = 0;
		boolean inString = false;
		for (int i = open; i < json.length(); i++) {
			char c = json.charAt(i);
			if (inString) {
				if (c == '\\') {
					i++;
				} else if (c == '"') {
					inString = false;
				}
			} else if (c == '"') {
				inString = true;
			} else if (c == '[' || c == '{') {
				depth++;
			} else if ((c == ']' || c == '}') && --depth == 0) {
				return c == ']' ? i : -1;
			}
		}
		return -1;
	}

	/** {@code meta.source} as HAPI's {@code MetaUtil.populateResourceSource} builds it. */
	static String source(String sourceUri, String requestId) {
		String source = sourceUri == null ? "" : sourceUri;
		int hash = source.indexOf('#');
		if (hash >= 0) {
			source = source.substring(0, hash);
		}
		if (requestId != null && !requestId.isBlank()) {
			source = source + "#" + requestId;
		}
		return source.isBlank() ? null : source;
	}
}
