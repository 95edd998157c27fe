package org.bulkfhir.server.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.List;

/**
 * While the sample data loads, lets H2 write committed pages to its file every half second instead
 * of after every commit, then puts the configured delay back and writes everything out.
 *
 * <p>The WAR's H2 URL sets {@code WRITE_DELAY=0} so that a kick-off's 202 is on disk before it is
 * sent. The loader commits once per resource, and with that setting H2 serialised the changed
 * B-tree pages after each of those thousands of commits: two thirds of the load's CPU. Nothing is
 * promised while the loader runs (the HTTP port is not open yet), and a load cut short by a crash
 * is loaded again on the next start, because the Group that marks it done is written last.
 * The URL's setting applies again on every start, so an interrupted load cannot leave the delay on.
 */
final class H2LoadWriteDelay implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(H2LoadWriteDelay.class);
	private static final int LOAD_DELAY_MILLIS = 500;

	private final JdbcTemplate jdbc;
	private final Integer configured;

	private H2LoadWriteDelay(JdbcTemplate jdbc, Integer configured) {
		this.jdbc = jdbc;
		this.configured = configured;
	}

	/** Relaxes the delay on H2; elsewhere does nothing. */
	static H2LoadWriteDelay relax(JdbcTemplate jdbc) {
		if (!isH2(jdbc)) {
			return new H2LoadWriteDelay(jdbc, null);
		}
		List<Integer> current = jdbc.queryForList(
				"SELECT DISTINCT CAST(SETTING_VALUE AS INT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'",
				Integer.class);
		if (current.isEmpty() || current.get(0) >= LOAD_DELAY_MILLIS) {
			return new H2LoadWriteDelay(jdbc, null);
		}
		jdbc.execute("SET WRITE_DELAY " + LOAD_DELAY_MILLIS);
		return new H2LoadWriteDelay(jdbc, current.get(0));
	}

	@Override
	public void close() {
		if (configured == null) {
			return;
		}
		jdbc.execute("SET WRITE_DELAY " + configured);
		jdbc.execute("CHECKPOINT");
		LOG.debug("H2 write delay back at {} ms after the sample data load", configured);
	}

	private static boolean isH2(JdbcTemplate jdbc) {
		String product = jdbc.execute((Connection c) -> {
			DatabaseMetaData metaData = c.getMetaData();
			return metaData.getDatabaseProductName();
		});
		return "H2".equals(product);
	}
}
