package org.bulkfhir.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.text.ParseException;
import java.util.List;

/**
 * The key this server signs its access tokens with. Generated once and kept in the database, so
 * tokens stay valid across restarts and on every node of a cluster.
 */
public class ServerKey {

	private static final String KEY_ID = "bulkfhir-token-key-1";

	private final RSAKey key;

	public ServerKey(JdbcTemplate jdbc) {
		jdbc.execute("CREATE TABLE IF NOT EXISTS BF_SIGNING_KEY (KID VARCHAR(64) NOT NULL PRIMARY KEY,"
				+ " JWK VARCHAR(16000) NOT NULL, CREATED TIMESTAMP NOT NULL)");
		this.key = loadOrCreate(jdbc);
	}

	public RSAKey key() {
		return key;
	}

	private static RSAKey loadOrCreate(JdbcTemplate jdbc) {
		RSAKey existing = load(jdbc);
		if (existing != null) {
			return existing;
		}
		try {
			RSAKey generated = new RSAKeyGenerator(2048).keyID(KEY_ID).generate();
			jdbc.update("INSERT INTO BF_SIGNING_KEY (KID, JWK, CREATED) VALUES (?, ?, ?)",
					KEY_ID, generated.toJSONString(), new Timestamp(System.currentTimeMillis()));
			return generated;
		} catch (DuplicateKeyException anotherNodeWasFirst) {
			return load(jdbc);
		} catch (JOSEException e) {
			throw new IllegalStateException("Cannot generate the token signing key", e);
		}
	}

	private static RSAKey load(JdbcTemplate jdbc) {
		List<String> stored = jdbc.queryForList("SELECT JWK FROM BF_SIGNING_KEY WHERE KID = ?", String.class, KEY_ID);
		if (stored.isEmpty()) {
			return null;
		}
		try {
			return RSAKey.parse(stored.get(0));
		} catch (ParseException e) {
			throw new IllegalStateException("The stored token signing key cannot be read", e);
		}
	}
}
