package org.bulkfhir.jobstore;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL over the export jobs: batch2's instances (BT2_JOB_INSTANCE, read only; batch2 is changed
 * through HAPI's API), our owner rows (BF_EXPORT_OWNER: job to client and Group) and the per-client
 * admission lock rows (BF_EXPORT_ADMISSION). Used by the admission, the purge, the admin job list and
 * the job gauges.
 */
public class ExportJobStore {

	/** batch2 states of a job not ended (running, or waiting to). */
	private static final String ACTIVE = "'QUEUED', 'IN_PROGRESS', 'FINALIZE', 'ERRORED'";

	/** A filter of the admin job list; null or empty parts do not filter. */
	public record JobFilter(String state, Set<String> clientKeys, String clientKeyLowerCase, String groupKey) {}

	/** One page of job ids, newest first, and how many match in all. */
	public record JobPage(int total, List<String> ids) {}

	private final JdbcTemplate jdbc;
	private final String definitionId;

	/** @param definitionId the batch2 job definition of our exports */
	public ExportJobStore(JdbcTemplate jdbc, String definitionId) {
		this.jdbc = jdbc;
		this.definitionId = definitionId;
	}

	/** The data source the statements run on (admission checks that it shares the JPA transaction's connection). */
	public DataSource dataSource() {
		return jdbc.getDataSource();
	}

	// --- admission (BF_EXPORT_ADMISSION, BF_EXPORT_OWNER)

	/** Whether the client's admission lock row exists. */
	public boolean hasAdmissionRow(String clientKey) {
		Integer present = jdbc.queryForObject(
				"SELECT COUNT(*) FROM BF_EXPORT_ADMISSION WHERE CLIENT_KEY = ?", Integer.class, clientKey);
		return present != null && present > 0;
	}

	/** Creates the client's admission lock row; a concurrent creation throws DuplicateKeyException. */
	public void createAdmissionRow(String clientKey, Timestamp at) {
		jdbc.update("INSERT INTO BF_EXPORT_ADMISSION (CLIENT_KEY, LAST_KICKOFF) VALUES (?, ?)", clientKey, at);
	}

	/** Locks the client's admission row for the current transaction (an update of its last kick-off). */
	public void lockAdmissionRow(String clientKey, Timestamp at) {
		jdbc.update("UPDATE BF_EXPORT_ADMISSION SET LAST_KICKOFF = ? WHERE CLIENT_KEY = ?", at, clientKey);
	}

	/** The client's jobs not ended and not cancelled. */
	public int activeJobsOf(String clientKey) {
		Integer count = jdbc.queryForObject(
				"SELECT COUNT(*) FROM BF_EXPORT_OWNER o JOIN BT2_JOB_INSTANCE i ON i.ID = o.JOB_ID WHERE "
						+ "o.CLIENT_KEY = ? AND i.JOB_CANCELLED = ? AND i.STAT IN (" + ACTIVE + ")",
				Integer.class,
				clientKey, false);
		return count == null ? 0 : count;
	}

	/** The stored reports (REPORT_VC, may be null) of the client's completed jobs not cancelled. */
	public List<String> completedReportsOf(String clientKey) {
		return jdbc.queryForList("SELECT i.REPORT_VC FROM BF_EXPORT_OWNER o"
						+ " JOIN BT2_JOB_INSTANCE i ON i.ID = o.JOB_ID"
						+ " WHERE o.CLIENT_KEY = ? AND i.JOB_CANCELLED = ? AND i.STAT = 'COMPLETED'",
				String.class, clientKey, false);
	}

	/** Records who started a job, and for which Group. */
	public void recordOwner(String jobId, String clientKey, Timestamp created, String groupKey) {
		jdbc.update("INSERT INTO BF_EXPORT_OWNER (JOB_ID, CLIENT_KEY, CREATED, GROUP_ID) VALUES (?, ?, ?, ?)",
				jobId, clientKey, created, groupKey);
	}

	// --- purge

	/** Our ended jobs (COMPLETED, FAILED, CANCELLED): ID, STAT, END_TIME, UPDATE_TIME, REPORT_VC. */
	public List<Map<String, Object>> endedJobs() {
		return jdbc.queryForList(
				"SELECT ID, STAT, END_TIME, UPDATE_TIME, REPORT_VC FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = ?"
						+ " AND STAT IN ('COMPLETED', 'FAILED', 'CANCELLED')",
				definitionId);
	}

	/** The ids of all our jobs. */
	public List<String> jobIds() {
		return jdbc.queryForList("SELECT ID FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = ?", String.class, definitionId);
	}

	/** The ids of every batch2 job instance, of any definition. */
	public Set<String> allInstanceIds() {
		return new HashSet<>(jdbc.queryForList("SELECT ID FROM BT2_JOB_INSTANCE", String.class));
	}

	/** Deletes the owner rows of jobs batch2 no longer has. */
	public void deleteOwnersOfRemovedJobs() {
		jdbc.update("DELETE FROM BF_EXPORT_OWNER WHERE JOB_ID NOT IN (SELECT ID FROM BT2_JOB_INSTANCE)");
	}

	// --- admin job list

	/**
	 * One page of our jobs matching the filter, paged in SQL on batch2's instance and our owner row:
	 * a state (CANCELLED also covers a cancel request batch2 has not acted on yet), a client by any of
	 * its keys or case-insensitively, a Group.
	 */
	public JobPage page(JobFilter filter, long offset, int size) {
		List<Object> args = new ArrayList<>();
		StringBuilder where = new StringBuilder("i.DEFINITION_ID = ?");
		args.add(definitionId);
		if (filter.state() != null) {
			if ("CANCELLED".equals(filter.state())) {
				where.append(" AND (i.STAT = 'CANCELLED' OR i.JOB_CANCELLED = ?)");
				args.add(true);
			} else {
				where.append(" AND i.STAT = ? AND i.JOB_CANCELLED = ?");
				args.add(filter.state());
				args.add(false);
			}
		}
		if (filter.clientKeys() != null && !filter.clientKeys().isEmpty()) {
			where.append(" AND (o.CLIENT_KEY IN (")
					.append(String.join(", ", Collections.nCopies(filter.clientKeys().size(), "?")))
					.append(") OR LOWER(o.CLIENT_KEY) = ?)");
			args.addAll(filter.clientKeys());
			args.add(filter.clientKeyLowerCase());
		}
		if (filter.groupKey() != null) {
			where.append(" AND o.GROUP_ID = ?");
			args.add(filter.groupKey());
		}
		Integer total = jdbc.queryForObject("SELECT COUNT(*) FROM BT2_JOB_INSTANCE i"
				+ " LEFT JOIN BF_EXPORT_OWNER o ON o.JOB_ID = i.ID WHERE " + where, Integer.class, args.toArray());
		List<Object> pageArgs = new ArrayList<>(args);
		pageArgs.add(offset);
		pageArgs.add(size);
		List<String> ids = jdbc.queryForList("SELECT i.ID FROM BT2_JOB_INSTANCE i"
				+ " LEFT JOIN BF_EXPORT_OWNER o ON o.JOB_ID = i.ID WHERE " + where
				+ " ORDER BY i.CREATE_TIME DESC, i.ID OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", String.class, pageArgs.toArray());
		return new JobPage(total == null ? 0 : total, ids);
	}

	// --- gauges

	/** Our jobs not ended, by batch2 state (QUEUED, IN_PROGRESS, FINALIZE, ERRORED; absent when none). */
	public Map<String, Long> activeJobsByState() {
		Map<String, Long> byStatus = new HashMap<>();
		jdbc.query("SELECT STAT, COUNT(*) FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = ?"
						+ " AND STAT IN (" + ACTIVE + ") GROUP BY STAT",
				rs -> {
					byStatus.put(rs.getString(1), rs.getLong(2));
				},
				definitionId);
		return byStatus;
	}
}
