package org.bulkfhir.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Date;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Access tokens of an external OAuth server: what they must carry, and whose jobs they see. */
class ExternalIssuerTest extends StrictAuthServerBase {

	@Test
	void aCompleteExternalTokenExportsAndSeesItsOwnJob() throws Exception {
		BulkClient external = client(external(claims("warehouse-" + UUID.randomUUID()).build()));
		String status = external.start("$export?_type=Patient");
		assertThat(external.send(external.request(status).GET().build()).statusCode()).isIn(200, 202);
	}

	@Test
	void audienceAndExpiryAreRequired() throws Exception {
		String clientId = "warehouse-" + UUID.randomUUID();
		assertRefused(claims(clientId).audience((String) null).build(), "no aud");
		assertRefused(claims(clientId).audience("https://other-api.example").build(), "another aud");
		assertRefused(claims(clientId).expirationTime(null).build(), "no exp");
		assertRefused(claims(clientId).expirationTime(new Date(System.currentTimeMillis() - 120_000)).build(), "expired");
		assertRefused(claims(clientId).issuer("https://other-idp.example").build(), "another issuer");
	}

	@Test
	void aTokenWithoutAClientIdIsRefused() throws Exception {
		assertRefused(claims(null).subject(null).build(), "no client_id, azp or sub");
		BulkClient byAzp = client(external(claims(null).claim("azp", "azp-" + UUID.randomUUID()).build()));
		assertThat(byAzp.kickOff("$export?_type=Patient").statusCode()).as("azp names the client").isEqualTo(202);
	}

	@Test
	void anExternalClientCannotSeeTheJobsOfALocalClientWithTheSameId() throws Exception {
		String sharedId = "shared-" + UUID.randomUUID();
		TestApps.App local = apps.register(sharedId, "system", "system/*.read", TestApps.rsaKey());
		BulkClient localClient = client(apps.token(local, "system/*.read"));
		String status = localClient.start("$export?_type=Patient");
		assertThat(localClient.send(localClient.request(status).GET().build()).statusCode()).isIn(200, 202);

		for (JWTClaimsSet claims : new JWTClaimsSet[] {
			claims(sharedId).build(),
			claims(null).claim("azp", sharedId).build(),
			claims(null).subject(sharedId).build()
		}) {
			BulkClient impostor = client(external(claims));
			assertThat(impostor.send(impostor.request(status).GET().build()).statusCode()).isEqualTo(404);
			assertThat(impostor.send(impostor.request(status).DELETE().build()).statusCode()).isEqualTo(404);
		}
		assertThat(localClient.send(localClient.request(status).GET().build()).statusCode()).isIn(200, 202);
	}

	@Test
	void aScopeWithAQueryPartGrantsNothingOfItsType() throws Exception {
		BulkClient labOnly = client(external(claims("lab-" + UUID.randomUUID())
				.claim("scope", "system/Observation.rs?category=laboratory").build()));
		assertThat(labOnly.kickOff("$export?_type=Observation").statusCode()).isEqualTo(403);
		assertThat(labOnly.kickOff("$export").statusCode()).isEqualTo(403);
	}

	private void assertRefused(JWTClaimsSet claims, String why) throws Exception {
		HttpResponse<String> response = client(external(claims)).kickOff("$export?_type=Patient");
		assertThat(response.statusCode()).as(why + ": " + response.body()).isEqualTo(401);
	}

	private static JWTClaimsSet.Builder claims(String clientId) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
				.issuer(IDP_ISSUER)
				.audience(IDP_AUDIENCE)
				.subject("service-account-" + UUID.randomUUID())
				.claim("app_type", "system")
				.claim("scope", "system/*.read")
				.issueTime(new Date())
				.expirationTime(new Date(System.currentTimeMillis() + 120_000));
		return clientId == null ? claims : claims.claim("client_id", clientId);
	}

	private static String external(JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(IDP_KEY.getKeyID()).build(), claims);
		jwt.sign(new RSASSASigner(IDP_KEY));
		return jwt.serialize();
	}
}
