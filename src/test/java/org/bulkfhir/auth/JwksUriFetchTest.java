package org.bulkfhir.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import org.bulkfhir.support.JwksServer;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestApps.App;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bulkfhir.auth.TokenEndpointHardeningTest.assertOAuthError;

/** How the server fetches a client's jwksUri: rate limited, no redirects. */
class JwksUriFetchTest extends ServerTestBase {

	@Test
	void unknownKeyIdsDoNotMakeTheServerFetchOnEveryRequest() throws Exception {
		JWK key = TestApps.ecKey();
		try (JwksServer jwks = new JwksServer(key)) {
			App app = apps.registerWithJwksUri(jwks.url(), key);
			assertThat(apps.token(app, "system/*.read")).isNotBlank();
			for (int i = 0; i < 6; i++) {
				String assertion = apps.assertion(app, apps.claims(app).build(),
						new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("unknown-" + i).build());
				assertOAuthError(apps.tokenRequest(apps.form(assertion, "system/*.read")), 401, "invalid_client");
			}
			assertThat(jwks.requests()).as("fetches of the JWKS for 1 good and 6 unknown-kid assertions").isLessThanOrEqualTo(2);
			assertThat(apps.token(app, "system/*.read")).as("the known key still works").isNotBlank();
		}
	}

	@Test
	void redirectsAreNotFollowed() throws Exception {
		JWK key = TestApps.ecKey();
		try (JwksServer target = new JwksServer(key); JwksServer redirecting = JwksServer.redirectingTo(target.url())) {
			App app = apps.registerWithJwksUri(redirecting.url(), key);
			String assertion = apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
			assertOAuthError(apps.tokenRequest(apps.form(assertion, "system/*.read")), 401, "invalid_client");
			assertThat(redirecting.requests()).isEqualTo(1);
			assertThat(target.requests()).as("the redirect target is never asked").isZero();
		}
	}
}
