package org.bulkfhir.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token-signing key from {@code bulkfhir.auth.signing-key-file}: tokens carry its thumbprint,
 * its private part never reaches the database, and after the file changes the previous key's
 * tokens verify for one token lifetime more, then never again.
 */
class SigningKeyRotationTest extends StrictAuthServerBase {

	private static final long LIFETIME_MILLIS = 20_000;

	@Autowired
	DataSource dataSource;

	@Test
	void aRotatedKeyVerifiesItsTokensForOneTokenLifetimeThenNoMore() throws Exception {
		RSAKey first = FIRST_SIGNING_KEY;
		RSAKey second = rsa(null);
		TestApps.App app = apps.register("system", "system/*.read", TestApps.rsaKey());

		String initial = apps.token(app, "system/*.read");
		assertThat(kid(initial)).isEqualTo(first.computeThumbprint().toString());
		String status = client(initial).start("$export?_type=Patient");
		assertNoPrivateKeyStored(first);

		String before = apps.token(app, "system/*.read");
		writeSigningKey(second.toJSONString());
		long rotatedBy = awaitSigningKey(app, second.computeThumbprint().toString());
		String after = apps.token(app, "system/*.read");
		assertAllowed(before, status, "a token of the previous key, issued before the rotation");
		assertAllowed(after, status, "a token of the new key");
		assertNoPrivateKeyStored(second);

		Thread.sleep(Math.max(0, rotatedBy + LIFETIME_MILLIS + 12_000 - System.currentTimeMillis()));
		String forgedWithPrevious = forge(first, app.clientId());
		assertThat(client(forgedWithPrevious).send(client(forgedWithPrevious).request(status).GET().build()).statusCode())
				.as("a fresh token signed with the previous key, one lifetime after the rotation").isEqualTo(401);
		assertAllowed(apps.token(app, "system/*.read"), status, "a fresh token of the new key");
		assertAllowed(forge(second, app.clientId()), status, "the current key");
	}

	private void assertAllowed(String token, String status, String what) throws Exception {
		BulkClient client = client(token);
		assertThat(client.send(client.request(status).GET().build()).statusCode()).as(what).isIn(200, 202);
	}

	/** Gets tokens until they carry the new key id; returns the time by which the server had switched. */
	private long awaitSigningKey(TestApps.App app, String kid) throws Exception {
		long deadline = System.currentTimeMillis() + 30_000;
		while (System.currentTimeMillis() < deadline) {
			if (kid.equals(kid(apps.token(app, "system/*.read")))) {
				return System.currentTimeMillis();
			}
			Thread.sleep(500);
		}
		throw new AssertionError("the server did not switch to the new signing key within 30 s");
	}

	private void assertNoPrivateKeyStored(RSAKey key) throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		for (String table : List.of("BF_SIGNING_KEY", "BF_TOKEN_KEY")) {
			assertThat(jdbc.queryForList("SELECT * FROM " + table).toString())
					.as(table).doesNotContain(key.getPrivateExponent().toString());
		}
		assertThat(jdbc.queryForList("SELECT * FROM BF_TOKEN_KEY").toString())
				.as("the public key is published for the other nodes").contains(key.computeThumbprint().toString());
	}

	private static String forge(RSAKey key, String clientId) throws Exception {
		Date now = new Date();
		JWTClaimsSet claims = new JWTClaimsSet.Builder()
				.issuer("bulkfhir")
				.subject(clientId)
				.claim("client_id", clientId)
				.claim("app_type", "system")
				.claim("scope", "system/*.read")
				.issueTime(now)
				.expirationTime(new Date(now.getTime() + 10_000))
				.jwtID(UUID.randomUUID().toString())
				.build();
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.computeThumbprint().toString()).build(), claims);
		jwt.sign(new RSASSASigner(key));
		return jwt.serialize();
	}

	private static String kid(String token) throws Exception {
		return SignedJWT.parse(token).getHeader().getKeyID();
	}
}
