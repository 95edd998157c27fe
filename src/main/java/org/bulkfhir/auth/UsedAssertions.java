package org.bulkfhir.auth;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.Date;

/**
 * The {@code jti} of every client assertion seen, kept until it expires, in the database so that
 * a replay is refused on any node.
 */
public class UsedAssertions {

	private final JdbcTemplate jdbc;

	public UsedAssertions(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
		jdbc.execute("CREATE TABLE IF NOT EXISTS BF_USED_JTI (CLIENT_ID VARCHAR(128) NOT NULL,"
				+ " JTI VARCHAR(256) NOT NULL, EXPIRES TIMESTAMP NOT NULL, PRIMARY KEY (CLIENT_ID, JTI))");
	}

	/** Records the jti; false if it was used before. */
	public boolean firstUse(String clientId, String jti, Date expires) {
		jdbc.update("DELETE FROM BF_USED_JTI WHERE EXPIRES < ?", new Timestamp(System.currentTimeMillis()));
		try {
			jdbc.update("INSERT INTO BF_USED_JTI (CLIENT_ID, JTI, EXPIRES) VALUES (?, ?, ?)",
					clientId, jti, new Timestamp(expires.getTime()));
			return true;
		} catch (DuplicateKeyException e) {
			return false;
		}
	}
}
