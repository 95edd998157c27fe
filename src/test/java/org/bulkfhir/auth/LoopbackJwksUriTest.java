package org.bulkfhir.auth;

import com.nimbusds.jose.jwk.JWK;
import org.bulkfhir.support.JwksServer;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestApps.App;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bulkfhir.auth.TokenEndpointHardeningTest.assertOAuthError;

/**
 * Without {@code bulkfhir.auth.allow-loopback-jwks-uri} a jwksUri on this machine is refused at
 * registration, and never fetched even when it is already in the database (an older release, or a
 * name that resolved elsewhere when it was registered).
 */
class LoopbackJwksUriTest extends StrictAuthServerBase {

	@Autowired
	DataSource dataSource;

	@Test
	void loopbackJwksUrisAreRefusedAtRegistration() throws Exception {
		for (String uri : List.of(
				"http://127.0.0.1:8443/jwks.json",
				"https://127.0.0.1/jwks.json",
				"https://127.1.2.3/jwks.json",
				"https://localhost/jwks.json",
				"https://[::1]/jwks.json")) {
			String body = "{\"name\":\"x\",\"appType\":\"system\",\"jwksUri\":\"" + uri + "\",\"scopes\":\"system/*.read\"}";
			assertThat(apps.admin("POST", "/clients", body, 400)).as(uri).contains("jwksUri");
		}
	}

	@Test
	void aStoredLoopbackJwksUriIsNeverFetched() throws Exception {
		JWK key = TestApps.ecKey();
		try (JwksServer jwks = new JwksServer(key)) {
			String clientId = "stored-" + UUID.randomUUID();
			new JdbcTemplate(dataSource).update(
					"INSERT INTO BF_CLIENT (CLIENT_ID, NAME, APP_TYPE, JWKS, JWKS_URI, SCOPES, ENABLED, CREATED)"
							+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					clientId, "stored before the rules", "system", null, jwks.url(), "system/*.read", true,
					new Timestamp(System.currentTimeMillis()));
			App app = new App(clientId, key, com.nimbusds.jose.JWSAlgorithm.ES384);
			String assertion = apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
			assertOAuthError(apps.tokenRequest(apps.form(assertion, "system/*.read")), 401, "invalid_client");
			assertThat(jwks.requests()).as("requests to the loopback JWKS URL").isZero();
		}
	}
}
