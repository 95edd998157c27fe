package org.bulkfhir.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster-wide lock that nobody waits for: a row of {@code BF_LOCK} locked with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} on a connection of its own, held while the work runs.
 * A node that finds the row locked skips its turn. The database drops the lock with the
 * connection, so a node killed while holding it holds nothing. The connection is taken from the
 * DataSource directly, outside any Spring transaction, so the work runs in its own transactions.
 */
public class ClusterLock {

	private static final Logger LOG = LoggerFactory.getLogger(ClusterLock.class);

	private final DataSource dataSource;
	private final JdbcTemplate jdbc;
	private final AtomicBoolean warnedUnsupported = new AtomicBoolean();
	private final java.util.Set<String> rowsPresent = java.util.concurrent.ConcurrentHashMap.newKeySet();

	public ClusterLock(DataSource dataSource, JdbcTemplate jdbc) {
		this.dataSource = dataSource;
		this.jdbc = jdbc;
	}

	/** Runs the work if no other node holds the named lock; returns whether it ran. */
	public boolean runExclusively(String name, Runnable work) {
		ensureRow(name);
		try (Connection connection = dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try {
				if (!lock(connection, name)) {
					return false;
				}
				work.run();
				return true;
			} finally {
				connection.rollback();
				connection.setAutoCommit(autoCommit);
			}
		} catch (SQLException e) {
			throw new IllegalStateException("Cluster lock " + name + ": " + e.getMessage(), e);
		}
	}

	private boolean lock(Connection connection, String name) throws SQLException {
		try (PreparedStatement select =
				connection.prepareStatement("SELECT NAME FROM BF_LOCK WHERE NAME = ? FOR UPDATE SKIP LOCKED")) {
			select.setString(1, name);
			try (ResultSet rs = select.executeQuery()) {
				return rs.next();
			}
		} catch (SQLException e) {
			// A database without SKIP LOCKED: HAPI's pass is safe on several nodes at once, so run unlocked.
			if (warnedUnsupported.compareAndSet(false, true)) {
				LOG.warn("The database refuses SELECT ... FOR UPDATE SKIP LOCKED ({}); every node drives"
						+ " batch2 on its own", e.getMessage());
			}
			connection.rollback();
			return true;
		}
	}

	private void ensureRow(String name) {
		if (rowsPresent.contains(name)) {
			return;
		}
		Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BF_LOCK WHERE NAME = ?", Integer.class, name);
		if (count != null && count == 0) {
			try {
				jdbc.update("INSERT INTO BF_LOCK (NAME) VALUES (?)", name);
			} catch (DataIntegrityViolationException anotherNodeWasFaster) {
				// the row exists now
			}
		}
		rowsPresent.add(name);
	}
}
