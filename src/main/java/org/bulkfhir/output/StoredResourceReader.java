package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the current version of stored resources as JSON text, straight from HAPI's tables.
 *
 * <p>HAPI stores each version's JSON without {@code id} and {@code meta}; this reader splices them
 * back (id, versionId, lastUpdated, source) so the line equals what a FHIR read returns. Resources
 * whose stored form needs more than that (tags, profiles, security labels, meta extensions,
 * compressed or external text) are loaded through HAPI's DAO and encoded by HAPI instead.
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

	private static final String SELECT = "SELECT r.RES_ID, r.RES_TYPE, r.FHIR_ID, r.RES_VER, r.HAS_TAGS, v.RES_UPDATED,"
			+ " v.RES_ENCODING, %s AS RES_TEXT_VC, v.SOURCE_URI, v.REQUEST_ID"
			+ " FROM HFJ_RESOURCE r JOIN HFJ_RES_VER v ON v.RES_ID = r.RES_ID AND v.RES_VER = r.RES_VER"
			+ " WHERE r.RES_ID IN (:pids) AND r.RES_DELETED_AT IS NULL ORDER BY r.RES_ID";

	private static final DateTimeFormatter LAST_UPDATED =
			DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneId.systemDefault());

	private final NamedParameterJdbcTemplate jdbc;
	private final DaoRegistry daoRegistry;
	private final FhirContext fhirContext;
	private final String select;

	public StoredResourceReader(NamedParameterJdbcTemplate jdbc, DaoRegistry daoRegistry, FhirContext fhirContext) {
		this.jdbc = jdbc;
		// H2 hands out a CLOB column as a LOB handle and keeps every handle of a result for its LOB_TIMEOUT
		// (5 minutes): a large export would hold one per resource read. As VARCHAR it is a plain value.
		this.select = String.format(SELECT, DatabaseProduct.isH2(jdbc) ? "CAST(v.RES_TEXT_VC AS VARCHAR)" : "v.RES_TEXT_VC");
		this.daoRegistry = daoRegistry;
		this.fhirContext = fhirContext;
	}

	/** One exported resource: its pid, type and the complete JSON line (no newline). */
	public record StoredResource(long pid, String type, String fhirId, String json) {}

	/** A resource that could not be read or encoded; the export goes on without it. */
	public record FailedResource(long pid, String type, String message) {}

	/**
	 * Streams the given resources to {@code sink}, batch by batch; deleted ones and those outside
	 * the window are skipped, and those that cannot be encoded go to {@code failures}.
	 */
	public void read(
			List<Long> pids, UpdatedWindow window, Consumer<StoredResource> sink, Consumer<FailedResource> failures) {
		IParser parser = fhirContext.newJsonParser();
		for (List<Long> batch : batches(pids)) {
			List<long[]> fallback = new ArrayList<>();
			List<String> fallbackTypes = new ArrayList<>();
			jdbc.query(select, new MapSqlParameterSource("pids", batch), (ResultSet rs) -> {
				if (!window.contains(rs.getTimestamp("RES_UPDATED").getTime())) {
					return;
				}
				StoredResource resource = spliced(rs);
				if (resource != null) {
					sink.accept(resource);
				} else {
					fallback.add(new long[] {rs.getLong("RES_ID")});
					fallbackTypes.add(rs.getString("RES_TYPE"));
				}
			});
			for (int i = 0; i < fallback.size(); i++) {
				long pid = fallback.get(i)[0];
				String type = fallbackTypes.get(i);
				String json;
				String fhirId;
				try {
					IBaseResource resource = daoRegistry.getResourceDao(type).readByPid(JpaPid.fromId(pid));
					fhirId = resource.getIdElement().getIdPart();
					json = parser.encodeResourceToString(resource);
				} catch (RuntimeException e) {
					failures.accept(new FailedResource(pid, type, e.getMessage()));
					continue;
				}
				sink.accept(new StoredResource(pid, type, fhirId, json));
			}
		}
	}

	private static StoredResource spliced(ResultSet rs) throws SQLException {
		String text = rs.getString("RES_TEXT_VC");
		if (text == null || rs.getBoolean("HAS_TAGS") || !"JSON".equals(rs.getString("RES_ENCODING"))) {
			return null;
		}
		String type = rs.getString("RES_TYPE");
		String prefix = "{\"resourceType\":\"" + type + "\"";
		if (!text.startsWith(prefix) || text.contains("\"meta\"")) {
			return null;
		}
		char next = text.length() > prefix.length() ? text.charAt(prefix.length()) : ' ';
		if (next != ',' && next != '}') {
			return null;
		}
		String fhirId = rs.getString("FHIR_ID");
		StringBuilder line = new StringBuilder(text.length() + 160);
		line.append(prefix).append(",\"id\":\"").append(fhirId).append("\",\"meta\":{\"versionId\":\"")
				.append(rs.getLong("RES_VER")).append("\",\"lastUpdated\":\"")
				.append(lastUpdated(rs.getTimestamp("RES_UPDATED"))).append('"');
		String source = source(rs.getString("SOURCE_URI"), rs.getString("REQUEST_ID"));
		if (source != null) {
			line.append(",\"source\":\"").append(JsonStringEncoder.getInstance().quoteAsString(source)).append('"');
		}
		line.append('}');
		line.append(text, prefix.length(), text.length());
		return new StoredResource(rs.getLong("RES_ID"), type, fhirId, line.toString());
	}

	/**
	 * The same text HAPI's {@code InstantType} gives a stored timestamp (millisecond precision,
	 * offset of the server's zone), without building one per resource.
	 */
	static String lastUpdated(Timestamp timestamp) {
		return LAST_UPDATED.format(Instant.ofEpochMilli(timestamp.getTime()));
	}

	static String lastUpdated(Timestamp timestamp, ZoneId zone) {
		return LAST_UPDATED.withZone(zone).format(Instant.ofEpochMilli(timestamp.getTime()));
	}

	private static String source(String sourceUri, String requestId) {
		boolean hasUri = sourceUri != null && !sourceUri.isEmpty();
		boolean hasRequest = requestId != null && !requestId.isEmpty();
		if (hasUri && hasRequest) {
			return sourceUri + "#" + requestId;
		}
		if (hasRequest) {
			return "#" + requestId;
		}
		return hasUri ? sourceUri : null;
	}
}
