package org.bulkfhir.export;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Duration;

/**
 * Gives work of a dead node back to the living. HAPI's open-source batch2 hands a work chunk to an
 * in-memory queue of the node that enqueued it and never looks at it again; if that JVM dies
 * (kill -9, crash, power), the chunk stays QUEUED or IN_PROGRESS and the job never ends, and a
 * reducer that was running stays in FINALIZE. For our own jobs only, chunks untouched for longer
 * than the timeout go back to READY and a stuck FINALIZE back to IN_PROGRESS, so the next
 * maintenance pass, on any node, picks them up again. A re-run chunk writes new files; only the
 * files its completed run reports reach the manifest, so nothing is duplicated.
 */
public class StaleWorkRecovery {

	private static final Logger LOG = LoggerFactory.getLogger(StaleWorkRecovery.class);

	private final JdbcTemplate jdbc;
	private final Duration timeout;

	public StaleWorkRecovery(JdbcTemplate jdbc, Duration timeout) {
		this.jdbc = jdbc;
		this.timeout = timeout;
	}

	/** Returns how many chunks and instances were given back. */
	public int recover() {
		Timestamp cutoff = new Timestamp(System.currentTimeMillis() - timeout.toMillis());
		int chunks = jdbc.update(
				"UPDATE BT2_WORK_CHUNK SET STAT = 'READY', UPDATE_TIME = ? WHERE STAT IN ('QUEUED', 'IN_PROGRESS')"
						+ " AND DEFINITION_ID = ? AND COALESCE(UPDATE_TIME, START_TIME, CREATE_TIME) < ?",
				new Timestamp(System.currentTimeMillis()),
				ExportJobService.JOB_DEFINITION_ID,
				cutoff);
		int reducers = jdbc.update(
				"UPDATE BT2_JOB_INSTANCE SET STAT = 'IN_PROGRESS', UPDATE_TIME = ? WHERE STAT = 'FINALIZE'"
						+ " AND DEFINITION_ID = ? AND COALESCE(UPDATE_TIME, START_TIME, CREATE_TIME) < ?",
				new Timestamp(System.currentTimeMillis()),
				ExportJobService.JOB_DEFINITION_ID,
				cutoff);
		if (chunks + reducers > 0) {
			LOG.warn("Recovered export work abandoned for over {}: {} work chunks, {} manifest steps", timeout,
					chunks, reducers);
		}
		return chunks + reducers;
	}
}
