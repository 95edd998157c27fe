package org.bulkfhir.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The audit trail in the database: table {@code BF_AUDIT}, shared by every node, kept for the
 * retention period whatever happens to the jobs and files it speaks of ({@link AuditRetention}).
 * Writes throw when the database refuses them; the callers decide whether the request fails (see
 * {@code docs/security.md}) and log at ERROR either way ({@link #failed}).
 */
public class AuditTrail {

	private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
	static final int MAX_DETAIL = 120_000;
	private static final String COLUMNS = "ID, EVENT_TIME, ACTION, ACTOR_TYPE, ACTOR, CLIENT_ID, ADDRESS, FORWARDED_FOR, JOB_ID,"
			+ " GROUP_ID, PATIENTS, FILE_NAME, DETAIL, STATUS, OUTCOME, REASON";

	private final JdbcTemplate jdbc;
	private final ObjectMapper json = new ObjectMapper();
	private volatile Consumer<AuditEntry> copies = entry -> {};

	/** Filters of the admin page and export; null or blank means any. Times are inclusive-exclusive. */
	public record Query(String client, String job, String action, Instant from, Instant to) {}

	public AuditTrail(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Where completed entries are also sent once stored (FHIR AuditEvents, when switched on). */
	public void copyTo(Consumer<AuditEntry> copies) {
		this.copies = copies;
	}

	/** Stores the entry; throws if the database refuses it. */
	public void insert(AuditEntry e) {
		store(e);
		copy(e);
	}

	private void copy(AuditEntry e) {
		if (!AuditEntry.OUTCOME_PENDING.equals(e.outcome)) {
			copies.accept(e);
		}
	}

	private void store(AuditEntry e) {
		jdbc.update("INSERT INTO BF_AUDIT (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				e.id, Timestamp.from(e.at), e.action, cut(e.actorType, 16), cut(e.actor, 200), cut(e.clientId, 200),
				cut(e.address, 64), cut(e.forwardedFor, 300), cut(e.jobId, 100), cut(e.groupId, 200), e.patients,
				cut(e.fileName, 300), detailJson(e), e.status, e.outcome, cut(e.reason, 1000));
	}

	/** Completes an entry written before the action (everything but who and when may have been learnt since). */
	public void complete(AuditEntry e) {
		int updated = jdbc.update("UPDATE BF_AUDIT SET CLIENT_ID = ?, JOB_ID = ?, GROUP_ID = ?, PATIENTS = ?,"
						+ " FILE_NAME = ?, DETAIL = ?, STATUS = ?, OUTCOME = ?, REASON = ? WHERE ID = ?",
				cut(e.clientId, 200), cut(e.jobId, 100), cut(e.groupId, 200), e.patients, cut(e.fileName, 300),
				detailJson(e), e.status, e.outcome, cut(e.reason, 1000), e.id);
		if (updated == 0) {
			store(e);
		}
		copy(e);
	}

	/**
	 * Completes an entry written before the answer ({@code pending}) or inserts one written after it;
	 * a failure is logged ({@link #failed}), never thrown: the answer has been given.
	 */
	public void record(AuditEntry e, boolean pending) {
		try {
			if (pending) {
				complete(e);
			} else {
				insert(e);
			}
		} catch (RuntimeException error) {
			failed(e, error);
		}
	}

	/** Logs a failed write at ERROR, with what the entry said, so that nothing is lost silently. */
	public static void failed(AuditEntry e, RuntimeException error) {
		LOG.error("AUDIT RECORD NOT WRITTEN: {} by {} {} from {} job {} file {} status {}: {}", e.action, e.actorType,
				e.actor, e.address, e.jobId, e.fileName, e.status, error.toString(), error);
	}

	public long count(Query query) {
		List<Object> args = new ArrayList<>();
		String where = where(query, args);
		Long count = jdbc.queryForObject("SELECT COUNT(*) FROM BF_AUDIT" + where, Long.class, args.toArray());
		return count == null ? 0 : count;
	}

	/** One page, newest first; the database does the paging. */
	public List<AuditEntry> page(Query query, int page, int size) {
		List<Object> args = new ArrayList<>();
		String where = where(query, args);
		args.add((long) page * size);
		args.add(size);
		return jdbc.query("SELECT " + COLUMNS + " FROM BF_AUDIT" + where
						+ " ORDER BY EVENT_TIME DESC, ID DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
				(rs, n) -> read(rs), args.toArray());
	}

	/** Every matching entry, oldest first, streamed from the database. */
	public void forEach(Query query, Consumer<AuditEntry> consumer) {
		List<Object> args = new ArrayList<>();
		String where = where(query, args);
		JdbcTemplate streaming = new JdbcTemplate(jdbc.getDataSource());
		streaming.setFetchSize(500);
		streaming.query("SELECT " + COLUMNS + " FROM BF_AUDIT" + where + " ORDER BY EVENT_TIME, ID",
				(RowCallbackHandler) rs -> consumer.accept(read(rs)), args.toArray());
	}

	/** Deletes entries older than the cutoff; returns how many. */
	public int deleteOlderThan(Instant cutoff) {
		return jdbc.update("DELETE FROM BF_AUDIT WHERE EVENT_TIME < ?", Timestamp.from(cutoff));
	}

	private static String where(Query q, List<Object> args) {
		StringBuilder where = new StringBuilder();
		if (q.client() != null && !q.client().isBlank()) {
			where.append(" AND CLIENT_ID = ?");
			args.add(q.client().strip());
		}
		if (q.job() != null && !q.job().isBlank()) {
			where.append(" AND JOB_ID = ?");
			args.add(q.job().strip());
		}
		if (q.action() != null && !q.action().isBlank()) {
			where.append(" AND ACTION = ?");
			args.add(q.action().strip());
		}
		if (q.from() != null) {
			where.append(" AND EVENT_TIME >= ?");
			args.add(Timestamp.from(q.from()));
		}
		if (q.to() != null) {
			where.append(" AND EVENT_TIME < ?");
			args.add(Timestamp.from(q.to()));
		}
		return where.isEmpty() ? "" : " WHERE" + where.substring(4);
	}

	private AuditEntry read(ResultSet rs) throws SQLException {
		AuditEntry e = new AuditEntry();
		e.id = rs.getString("ID");
		e.at = rs.getTimestamp("EVENT_TIME").toInstant();
		e.action = rs.getString("ACTION");
		e.actorType = rs.getString("ACTOR_TYPE");
		e.actor = rs.getString("ACTOR");
		e.clientId = rs.getString("CLIENT_ID");
		e.address = rs.getString("ADDRESS");
		e.forwardedFor = rs.getString("FORWARDED_FOR");
		e.jobId = rs.getString("JOB_ID");
		e.groupId = rs.getString("GROUP_ID");
		int patients = rs.getInt("PATIENTS");
		e.patients = rs.wasNull() ? null : patients;
		e.fileName = rs.getString("FILE_NAME");
		String detail = rs.getString("DETAIL");
		if (detail != null) {
			try {
				e.detail.putAll(json.readValue(detail, new TypeReference<Map<String, Object>>() {}));
			} catch (JsonProcessingException notJson) {
				e.detail.put("text", detail);
			}
		}
		int status = rs.getInt("STATUS");
		e.status = rs.wasNull() ? null : status;
		e.outcome = rs.getString("OUTCOME");
		e.reason = rs.getString("REASON");
		return e;
	}

	private String detailJson(AuditEntry e) {
		if (e.detail.isEmpty()) {
			return null;
		}
		try {
			String text = json.writeValueAsString(e.detail);
			if (text.length() > MAX_DETAIL) {
				// Only an absurdly long request gets here (the parser caps _typeFilter); say so rather than fail.
				return json.writeValueAsString(Map.of("truncated", text.substring(0, MAX_DETAIL - 200)));
			}
			return text;
		} catch (JsonProcessingException impossible) {
			throw new IllegalStateException(impossible);
		}
	}

	public static String cut(String value, int max) {
		return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
	}
}
