package org.bulkfhir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestApps.App;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SMART Backend Services over HTTP, with keys made here: every success and every attack. */
class BackendServicesAuthTest extends ServerTestBase {

	@Test
	void discoveryDocumentDescribesTheTokenEndpoint() throws Exception {
		HttpResponse<String> response = client.send(
				HttpRequest.newBuilder(URI.create(base() + "/.well-known/smart-configuration")).build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		JsonNode doc = BulkClient.JSON.readTree(response.body());
		assertThat(doc.get("token_endpoint").asText()).isEqualTo(base() + "/auth/token");
		assertThat(texts(doc.get("token_endpoint_auth_methods_supported"))).containsExactly("private_key_jwt");
		assertThat(texts(doc.get("token_endpoint_auth_signing_alg_values_supported"))).containsExactly("RS384", "ES384");
		assertThat(texts(doc.get("grant_types_supported"))).containsExactly("client_credentials");
		assertThat(texts(doc.get("scopes_supported"))).contains("system/*.read");
		assertThat(texts(doc.get("capabilities")))
				.contains("client-confidential-asymmetric", "permission-v1", "permission-v2");
	}

	@Test
	void rsaAndEcAppsGetTokensWithTheGrantedScopes() throws Exception {
		for (JWK key : List.of(TestApps.rsaKey(), TestApps.ecKey())) {
			App app = apps.register("system", "system/Patient.read system/Observation.rs", key);
			HttpResponse<String> response = apps.tokenRequest(apps.form(
					apps.assertion(app, apps.claims(app).build(), apps.header(app).build()),
					"system/Patient.read system/Observation.rs system/Condition.read"));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode body = BulkClient.JSON.readTree(response.body());
			assertThat(body.get("token_type").asText()).isEqualToIgnoringCase("bearer");
			assertThat(body.get("expires_in").isNumber()).isTrue();
			assertThat(body.get("expires_in").asInt()).isBetween(1, 300);
			assertThat(body.get("scope").asText()).isEqualTo("system/Patient.read system/Observation.rs");
			assertThat(body.get("access_token").asText()).isNotBlank();
		}
	}

	@Test
	void wildcardScopesCoverNarrowerRequests() throws Exception {
		App app = apps.register("system", "system/*.read");
		HttpResponse<String> response = apps.tokenRequest(apps.form(
				apps.assertion(app, apps.claims(app).build(), apps.header(app).build()), "system/Observation.read"));
		assertThat(BulkClient.JSON.readTree(response.body()).get("scope").asText()).isEqualTo("system/Observation.read");
	}

	@Test
	void tokenRequestErrorsFollowRfc6749() throws Exception {
		App app = apps.register("system", "system/*.read");
		Map<String, String> badGrant = new HashMap<>(apps.form(assertion(app), "system/*.read"));
		badGrant.put("grant_type", "not_a_grant_type");
		assertError(apps.tokenRequest(badGrant), 400, "unsupported_grant_type");

		Map<String, String> badType = new HashMap<>(apps.form(assertion(app), "system/*.read"));
		badType.put("client_assertion_type", "not_an_assertion_type");
		assertError(apps.tokenRequest(badType), 400, "invalid_request");

		assertError(apps.tokenRequest(apps.form(assertion(app), "patient/*.read")), 400, "invalid_scope");
	}

	@Test
	void everyAttackOnTheClientAssertionIsInvalidClient() throws Exception {
		App app = apps.register("system", "system/*.read");
		App stranger = new App(app.clientId(), TestApps.rsaKey(), JWSAlgorithm.RS384);
		Map<String, String> attacks = new java.util.LinkedHashMap<>();
		attacks.put("alg none", new PlainJWT(new PlainHeader(), apps.claims(app).build()).serialize());
		attacks.put("HS256 signed with the public key", hmacWithPublicKey(app));
		attacks.put("signed by another key", apps.assertion(stranger, apps.claims(app).build(),
				new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(app.key().getKeyID()).build()));
		attacks.put("expired", apps.assertion(app,
				apps.claims(app).expirationTime(new Date(System.currentTimeMillis() - 600_000)).build(),
				apps.header(app).build()));
		attacks.put("exp too far ahead", apps.assertion(app,
				apps.claims(app).expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build(),
				apps.header(app).build()));
		attacks.put("wrong aud", apps.assertion(app, apps.claims(app).audience("https://evil.example/token").build(),
				apps.header(app).build()));
		attacks.put("iss differs from sub", apps.assertion(app, apps.claims(app).subject("someone-else").build(),
				apps.header(app).build()));
		attacks.put("unknown client", apps.assertion(app,
				apps.claims(app).issuer("nobody").subject("nobody").build(), apps.header(app).build()));
		attacks.put("no jti", apps.assertion(app, apps.claims(app).jwtID(null).build(), apps.header(app).build()));
		attacks.put("unregistered jku", apps.assertion(app, apps.claims(app).build(),
				apps.header(app).jwkURL(URI.create("https://evil.example/jwks.json")).build()));
		for (Map.Entry<String, String> attack : attacks.entrySet()) {
			HttpResponse<String> response = apps.tokenRequest(apps.form(attack.getValue(), "system/*.read"));
			assertThat(response.statusCode()).as(attack.getKey() + ": " + response.body()).isEqualTo(401);
			assertThat(BulkClient.JSON.readTree(response.body()).get("error").asText())
					.as(attack.getKey()).isEqualTo("invalid_client");
		}
	}

	@Test
	void aReplayedJtiIsRefused() throws Exception {
		App app = apps.register("system", "system/*.read");
		String assertion = assertion(app);
		assertThat(apps.tokenRequest(apps.form(assertion, "system/*.read")).statusCode()).isEqualTo(200);
		assertError(apps.tokenRequest(apps.form(assertion, "system/*.read")), 401, "invalid_client");
	}

	@Test
	void bulkEndpointsNeedAValidTokenAnd401SaysSo() throws Exception {
		BulkClient anonymous = new BulkClient(base());
		String status = client.start("Group/small/$export?_type=Patient");
		String file = client.export("Group/small/$export?_type=Patient").get("output").get(0).get("url").asText();
		for (String token : new String[] {null, "garbage", forgedToken()}) {
			BulkClient caller = token == null ? anonymous : new BulkClient(base()).withToken(() -> token);
			for (HttpRequest request : List.of(
					caller.request("Group/small/$export").header("Prefer", "respond-async").GET().build(),
					caller.request(status).GET().build(),
					caller.request(status).DELETE().build(),
					caller.request(file).GET().build())) {
				HttpResponse<String> response = caller.send(request);
				assertThat(response.statusCode()).as(request.method() + " " + request.uri()).isEqualTo(401);
				assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
				assertThat(response.body()).contains("OperationOutcome");
			}
		}
	}

	@Test
	void patientAndUserAppsGet403() throws Exception {
		for (String type : List.of("patient", "user")) {
			App app = apps.register(type, "system/*.read");
			BulkClient caller = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
			HttpResponse<String> response = caller.kickOff("Group/small/$export");
			assertThat(response.statusCode()).as(type).isEqualTo(403);
			assertThat(response.body()).contains("OperationOutcome").contains("System");
		}
	}

	@Test
	void scopesLimitTheExportedTypes() throws Exception {
		App app = apps.register("system", "system/Patient.read system/Observation.rs");
		BulkClient caller = new BulkClient(base()).withToken(apps.tokens(app, "system/Patient.read system/Observation.rs"));

		HttpResponse<String> refused = caller.kickOff("Group/small/$export?_type=Patient,Condition,Encounter");
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(refused.body()).contains("Condition, Encounter");

		Map<String, List<IBaseResource>> exported = caller.downloadAll(caller.export("Group/small/$export"));
		assertThat(exported.keySet()).containsExactlyInAnyOrder("Patient", "Observation");
	}

	@Test
	void anotherClientsJobAndFilesAreNotFound() throws Exception {
		String status = client.start("Group/small/$export?_type=Patient");
		JsonNode manifest = BulkClient.JSON.readTree(client.poll(status, java.time.Duration.ofSeconds(30)).body());
		String file = manifest.get("output").get(0).get("url").asText();

		App other = apps.register("system", "system/*.read");
		BulkClient intruder = new BulkClient(base()).withToken(apps.tokens(other, "system/*.read"));
		assertThat(intruder.send(intruder.request(status).GET().build()).statusCode()).isEqualTo(404);
		assertThat(intruder.send(intruder.request(file).GET().build()).statusCode()).isEqualTo(404);
		assertThat(intruder.send(intruder.request(status).DELETE().build()).statusCode()).isEqualTo(404);
		assertThat(client.send(client.request(status).GET().build()).statusCode()).as("still there for its owner")
				.isEqualTo(200);
	}

	@Test
	void revokedAndDisabledClientsLoseTheirTokensAtOnce() throws Exception {
		App revoked = apps.register("system", "system/*.read");
		String token = apps.token(revoked, "system/*.read");
		BulkClient caller = new BulkClient(base()).withToken(() -> token);
		assertThat(caller.kickOff("Group/small/$export?_type=Patient").statusCode()).isEqualTo(202);
		apps.admin("DELETE", "/clients/" + revoked.clientId(), null, 204);
		assertThat(caller.kickOff("Group/small/$export?_type=Patient").statusCode()).isEqualTo(401);
		assertError(apps.tokenRequest(apps.form(assertion(revoked), "system/*.read")), 401, "invalid_client");

		App disabled = apps.register("system", "system/*.read");
		String disabledToken = apps.token(disabled, "system/*.read");
		apps.admin("POST", "/clients/" + disabled.clientId() + "/disable", null, 200);
		assertThat(new BulkClient(base()).withToken(() -> disabledToken)
				.kickOff("Group/small/$export?_type=Patient").statusCode()).isEqualTo(401);
	}

	@Test
	void aClientWithAJwksUrlIsVerifiedWithTheFetchedKeys() throws Exception {
		JWK key = TestApps.ecKey();
		try (org.bulkfhir.support.JwksServer jwksServer = new org.bulkfhir.support.JwksServer(key)) {
			String jwksUrl = jwksServer.url();
			App app = apps.registerWithJwksUri(jwksUrl, key);
			HttpResponse<String> withJku = apps.tokenRequest(apps.form(apps.assertion(app, apps.claims(app).build(),
					apps.header(app).jwkURL(URI.create(jwksUrl)).build()), "system/*.read"));
			assertThat(withJku.statusCode()).as(withJku.body()).isEqualTo(200);
			assertThat(apps.token(app, "system/*.read")).isNotBlank();
		}
	}

	@Test
	void capabilityStatementDeclaresBulkExportAndSmart() throws Exception {
		JsonNode cs = BulkClient.JSON.readTree(client.read("metadata"));
		assertThat(cs.toString()).contains("http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data")
				.contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export")
				.contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export")
				.contains("http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export")
				.contains("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")
				.contains(base() + "/auth/token");
	}

	@Test
	void adminApiNeedsAdminCredentials() throws Exception {
		String clients = apps.adminBase() + "/clients";
		for (String authorization : new String[] {null, TestApps.basic("admin", "wrong"),
				"Bearer " + apps.token(apps.register("system", "system/*.read"), "system/*.read")}) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(clients));
			if (authorization != null) {
				request.header("Authorization", authorization);
			}
			HttpResponse<String> response = client.send(request.GET().build());
			assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
		}
		App app = apps.register("system", "system/*.read");
		JsonNode listed = BulkClient.JSON.readTree(apps.admin("GET", "/clients", null, 200));
		assertThat(listed.toString()).contains(app.clientId());
		JsonNode one = BulkClient.JSON.readTree(apps.admin("GET", "/clients/" + app.clientId(), null, 200));
		assertThat(one.get("appType").asText()).isEqualTo("system");
		apps.admin("POST", "/clients", "{\"name\":\"x\",\"appType\":\"robot\",\"jwksUri\":\"https://a/b\",\"scopes\":\"s\"}", 400);
		apps.admin("POST", "/clients", "{\"clientId\":\"fixed-id-1\",\"name\":\"x\",\"appType\":\"system\","
				+ "\"jwksUri\":\"https://a.example/jwks\",\"scopes\":\"system/*.read\"}", 201);
		apps.admin("GET", "/clients/fixed-id-1", null, 200);
		apps.admin("DELETE", "/clients/fixed-id-1", null, 204);
		apps.admin("GET", "/clients/fixed-id-1", null, 404);
	}

	private String assertion(App app) throws Exception {
		return apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
	}

	private String hmacWithPublicKey(App app) throws Exception {
		byte[] secret = app.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT)
				.keyID(app.key().getKeyID()).build(), apps.claims(app).build());
		jwt.sign(new MACSigner(secret));
		return jwt.serialize();
	}

	/** A token that looks like ours but is signed by a key of the attacker. */
	private String forgedToken() throws Exception {
		App attacker = new App("attacker", TestApps.rsaKey(), JWSAlgorithm.RS256);
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("bulkfhir").subject("attacker")
				.claim("app_type", "system").claim("scope", "system/*.read")
				.expirationTime(new Date(System.currentTimeMillis() + 60_000)).build();
		return apps.assertion(attacker, claims, new JWSHeader.Builder(JWSAlgorithm.RS256).build());
	}

	private static void assertError(HttpResponse<String> response, int status, String error) throws Exception {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(BulkClient.JSON.readTree(response.body()).get("error").asText()).isEqualTo(error);
	}

	private static List<String> texts(JsonNode array) {
		List<String> values = new java.util.ArrayList<>();
		array.forEach(n -> values.add(n.asText()));
		return values;
	}
}
