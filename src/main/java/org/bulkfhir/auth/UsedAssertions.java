package org.bulkfhir.auth;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.util.Date;

/**
 * The {@code jti} of every client assertion seen, in the database so that a replay is refused on
 * any node. A row is kept until the assertion's {@code exp} plus the clock skew the verifier
 * tolerates: as long as the assertion itself would still be accepted, its {@code jti} is remembered.
 */
public class UsedAssertions {

	/** Longest jti kept (the column's size); longer ones are refused before they reach the database. */
	public static final int MAX_JTI_LENGTH = 256;

	private final JdbcTemplate jdbc;
	private final long clockSkewMillis;

	public UsedAssertions(JdbcTemplate jdbc, long clockSkewMillis) {
		this.jdbc = jdbc;
		this.clockSkewMillis = clockSkewMillis;
	}

	/** Records the jti; false if it was used before. EXPIRES holds the assertion's own exp. */
	public boolean firstUse(String clientId, String jti, Date expires) {
		jdbc.update("DELETE FROM BF_USED_JTI WHERE EXPIRES < ?",
				new Timestamp(System.currentTimeMillis() - clockSkewMillis));
		try {
			jdbc.update("INSERT INTO BF_USED_JTI (CLIENT_ID, JTI, EXPIRES) VALUES (?, ?, ?)",
					clientId, jti, new Timestamp(expires.getTime()));
			return true;
		} catch (DuplicateKeyException e) {
			return false;
		}
	}
}
