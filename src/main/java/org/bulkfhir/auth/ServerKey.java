package org.bulkfhir.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key this server signs its access tokens with, and the keys it accepts them from.
 *
 * <p>Without {@code bulkfhir.auth.signing-key-file} the key is generated once and kept in the
 * database ({@code BF_SIGNING_KEY}), shared by every node. With it, the key comes from that file,
 * which is re-read every few seconds; its private part never reaches the database.
 *
 * <p>Either way the public part of the key in use is published in {@code BF_TOKEN_KEY} with a
 * "signs until" time that each node pushes ahead while it signs with it. A token verifies with the
 * node's own key, or with a published key if it was issued before that key's "signs until" and
 * expires within one token lifetime after it. So after a rotation (a new file on every node) the
 * previous key's tokens keep working until the last of them expires, and then nothing signed with
 * that key, even with a leaked copy of it, is accepted again.
 */
public class ServerKey {

	static final String GENERATED_KEY_ID = "bulkfhir-token-key-1";
	/** How far ahead a node pushes "signs until" of its key; it refreshes it when half is left. */
	static final long HEARTBEAT_MILLIS = 10_000;
	/** Clock differences between nodes tolerated when comparing with "signs until". */
	static final long TOLERANCE_MILLIS = 5_000;
	private static final long FILE_CHECK_MILLIS = 5_000;
	private static final Logger LOG = LoggerFactory.getLogger(ServerKey.class);

	private final JdbcTemplate jdbc;
	private final Path file;
	private final long lifetimeMillis;
	private final Object lock = new Object();
	private volatile RSAKey current;
	private volatile long signsUntil;
	private String fileContent;
	private String refusedContent;
	private String lastWarning;
	private volatile long nextFileCheck;

	public ServerKey(JdbcTemplate jdbc, String signingKeyFile, Duration tokenLifetime) {
		this.jdbc = jdbc;
		this.file = signingKeyFile == null || signingKeyFile.isBlank() ? null : Path.of(signingKeyFile.strip());
		this.lifetimeMillis = tokenLifetime.toMillis();
		if (file == null) {
			current = loadOrCreateGenerated();
		} else {
			fileContent = SigningKeyFile.read(file);
			current = SigningKeyFile.parse(fileContent, file);
			retireGeneratedKey();
			LOG.info("Access tokens are signed with the key of {} (kid {})", SigningKeyFile.SETTING, current.getKeyID());
		}
		publish(current, System.currentTimeMillis());
	}

	/** The key to sign a token with now. */
	public RSAKey signingKey() {
		reloadIfChanged();
		synchronized (lock) {
			long now = System.currentTimeMillis();
			if (now > signsUntil - HEARTBEAT_MILLIS / 2) {
				publish(current, now);
			}
			return current;
		}
	}

	/**
	 * The public key that may verify a token with this key id, issued and expiring as given: this
	 * node's key, or a published one whose "signs until" covers the token (see the class comment).
	 */
	public Optional<RSAKey> verificationKey(String kid, Date issued, Date expires) {
		reloadIfChanged();
		RSAKey own = current;
		if (kid == null || issued == null || expires == null) {
			return Optional.empty();
		}
		if (kid.equals(own.getKeyID())) {
			return Optional.of(own.toPublicJWK());
		}
		List<Map<String, Object>> rows = jdbc.queryForList("SELECT JWK, SIGNS_UNTIL FROM BF_TOKEN_KEY WHERE KID = ?", kid);
		if (rows.isEmpty()) {
			return Optional.empty();
		}
		long until = ((Timestamp) rows.get(0).get("SIGNS_UNTIL")).getTime();
		if (issued.getTime() > until + TOLERANCE_MILLIS
				|| expires.getTime() > until + lifetimeMillis + TOLERANCE_MILLIS) {
			return Optional.empty();
		}
		try {
			return Optional.of(RSAKey.parse((String) rows.get(0).get("JWK")).toPublicJWK());
		} catch (ParseException e) {
			LOG.warn("BF_TOKEN_KEY row {} cannot be read", kid);
			return Optional.empty();
		}
	}

	/** Pushes "signs until" of a key ahead (never back), inserting its public part if missing. */
	private void publish(RSAKey key, long now) {
		Timestamp until = new Timestamp(now + HEARTBEAT_MILLIS);
		int updated = jdbc.update(
				"UPDATE BF_TOKEN_KEY SET SIGNS_UNTIL = ? WHERE KID = ? AND SIGNS_UNTIL < ?", until, key.getKeyID(), until);
		if (updated == 0) {
			insertIfMissing(key, until);
		}
		signsUntil = until.getTime();
	}

	private void insertIfMissing(RSAKey key, Timestamp until) {
		Integer rows = jdbc.queryForObject("SELECT COUNT(*) FROM BF_TOKEN_KEY WHERE KID = ?", Integer.class, key.getKeyID());
		if (rows != null && rows > 0) {
			return;
		}
		try {
			jdbc.update("INSERT INTO BF_TOKEN_KEY (KID, JWK, SIGNS_UNTIL) VALUES (?, ?, ?)",
					key.getKeyID(), key.toPublicJWK().toJSONString(), until);
		} catch (DuplicateKeyException anotherNodeWasFirst) {
			// its row serves as well
		}
	}

	private void reloadIfChanged() {
		if (file == null || System.currentTimeMillis() < nextFileCheck) {
			return;
		}
		synchronized (lock) {
			long now = System.currentTimeMillis();
			if (now < nextFileCheck) {
				return;
			}
			nextFileCheck = now + FILE_CHECK_MILLIS;
			String content;
			RSAKey next;
			try {
				content = SigningKeyFile.read(file);
			} catch (IllegalArgumentException e) {
				warnOnce(e.getMessage());
				return;
			}
			if (content.equals(fileContent) || content.equals(refusedContent)) {
				return;
			}
			try {
				next = SigningKeyFile.parse(content, file);
			} catch (IllegalArgumentException e) {
				refusedContent = content;
				warnOnce(e.getMessage());
				return;
			}
			fileContent = content;
			refusedContent = null;
			lastWarning = null;
			if (next.getKeyID().equals(current.getKeyID())) {
				return;
			}
			LOG.info("Token signing key changed: {} -> {}; tokens of the previous key stay valid until they expire",
					current.getKeyID(), next.getKeyID());
			current = next;
			publish(next, now);
		}
	}

	private void warnOnce(String problem) {
		if (!problem.equals(lastWarning)) {
			LOG.warn("Keeping token signing key {}: {}", current.getKeyID(), problem);
			lastWarning = problem;
		}
	}

	/** After a switch to a key file: the generated key's tokens stay valid one lifetime, then not. */
	private void retireGeneratedKey() {
		RSAKey generated = loadGenerated();
		if (generated != null) {
			insertIfMissing(generated, new Timestamp(System.currentTimeMillis()));
		}
	}

	private RSAKey loadOrCreateGenerated() {
		RSAKey existing = loadGenerated();
		if (existing != null) {
			return existing;
		}
		try {
			RSAKey generated = new RSAKeyGenerator(2048).keyID(GENERATED_KEY_ID).generate();
			jdbc.update("INSERT INTO BF_SIGNING_KEY (KID, JWK, CREATED) VALUES (?, ?, ?)",
					GENERATED_KEY_ID, generated.toJSONString(), new Timestamp(System.currentTimeMillis()));
			return generated;
		} catch (DuplicateKeyException anotherNodeWasFirst) {
			return loadGenerated();
		} catch (JOSEException e) {
			throw new IllegalStateException("Cannot generate the token signing key", e);
		}
	}

	private RSAKey loadGenerated() {
		List<String> stored =
				jdbc.queryForList("SELECT JWK FROM BF_SIGNING_KEY WHERE KID = ?", String.class, GENERATED_KEY_ID);
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
