package org.bulkfhir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.JwksServer;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestApps.App;
import org.bulkfhir.support.TestPort;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token endpoint against attacks on its inputs: replays inside the clock skew, query scopes,
 * forged Host headers, form fields outside the body, keys of the wrong use, algorithm or size, and
 * answers that would tell an anonymous caller more than it needs.
 */
class TokenEndpointHardeningTest extends ServerTestBase {

	private static final String REF = " \\(ref [0-9a-f]{12}\\)$";

	@Test
	void aJtiStaysUsedUntilItsExpPlusTheClockSkew() throws Exception {
		App app = apps.register("system", "system/*.read");
		// Expired five seconds ago: still inside the 60 s of tolerated clock skew.
		String assertion = apps.assertion(app,
				apps.claims(app).expirationTime(new Date(System.currentTimeMillis() - 5_000)).build(),
				apps.header(app).build());
		HttpResponse<String> first = apps.tokenRequest(apps.form(assertion, "system/*.read"));
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertOAuthError(apps.tokenRequest(apps.form(assertion, "system/*.read")), 401, "invalid_client");
	}

	@Test
	void scopesWithAQueryPartAreRefused() throws Exception {
		App app = apps.register("system", "system/*.read system/*.rs");
		for (String scope : new String[] {
			"system/Observation.rs?category=laboratory",
			"system/Patient.read system/Observation.rs?category=laboratory",
			"system/Observation.read?code=1234-5"
		}) {
			HttpResponse<String> response = apps.tokenRequest(apps.form(assertion(app), scope));
			assertOAuthError(response, 400, "invalid_scope");
		}
	}

	@Test
	void audIsTheConfiguredTokenUrlWhateverTheHostHeaderSays() throws Exception {
		App app = apps.register("system", "system/*.read");
		String forgedHost = "evil.example:" + port;
		String forgedTokenUrl = "http://" + forgedHost + "/fhir/auth/token";
		String assertion = apps.assertion(app, apps.claims(app).audience(forgedTokenUrl).build(), apps.header(app).build());
		String form = formBody(apps.form(assertion, "system/*.read"));
		RawResponse token = raw("POST /fhir/auth/token HTTP/1.1\r\nHost: " + forgedHost
				+ "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
				+ form.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + form);
		assertThat(token.status()).as(token.body()).isEqualTo(401);
		assertThat(BulkClient.JSON.readTree(token.body()).get("error").asText()).isEqualTo("invalid_client");

		RawResponse discovery = raw("GET /fhir/.well-known/smart-configuration HTTP/1.1\r\nHost: " + forgedHost
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(discovery.status()).isEqualTo(200);
		assertThat(BulkClient.JSON.readTree(discovery.body()).get("token_endpoint").asText())
				.isEqualTo(apps.tokenUrl());

		RawResponse metadata = raw("GET /fhir/metadata?_format=json HTTP/1.1\r\nHost: " + forgedHost
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(metadata.status()).isEqualTo(200);
		assertThat(metadata.body()).contains("\"valueUri\":\"" + apps.tokenUrl() + "\"").doesNotContain(forgedTokenUrl);
	}

	@Test
	void formFieldsCountOnlyFromTheBodyAndOnlyOnce() throws Exception {
		App app = apps.register("system", "system/*.read system/Patient.read");
		Map<String, String> form = apps.form(assertion(app), "system/*.read");
		for (String field : new String[] {"client_assertion", "grant_type", "scope"}) {
			Map<String, String> body = new LinkedHashMap<>(form);
			String value = body.remove(field);
			assertOAuthError(post("?" + field + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8), formBody(body)),
					400, "invalid_request");
		}
		assertOAuthError(post("?scope=system/Patient.read", formBody(form)), 400, "invalid_request");
		assertOAuthError(post("", formBody(form) + "&scope=system%2FPatient.read"), 400, "invalid_request");
		HttpResponse<String> fine = post("", formBody(apps.form(assertion(app), "system/*.read")));
		assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
		assertOAuthError(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(apps.tokenUrl() + "?"
						+ formBody(apps.form(assertion(app), "system/*.read")))).GET().build(),
				HttpResponse.BodyHandlers.ofString()), 405, "invalid_request");
	}

	@Test
	void theAssertionMustNameItsKeyAndTheKeyMustBeMeantForIt() throws Exception {
		App app = apps.register("system", "system/*.read");
		assertOAuthError(apps.tokenRequest(apps.form(apps.assertion(app, apps.claims(app).build(),
				new JWSHeader.Builder(JWSAlgorithm.RS384).build()), "system/*.read")), 401, "invalid_client");

		RSAKey encryptionKey = new RSAKey.Builder((RSAKey) TestApps.rsaKey()).keyUse(KeyUse.ENCRYPTION).build();
		App encryption = apps.register("system", "system/*.read", encryptionKey);
		assertOAuthError(apps.tokenRequest(apps.form(assertion(encryption), "system/*.read")), 401, "invalid_client");

		RSAKey rs512Key = new RSAKey.Builder((RSAKey) TestApps.rsaKey()).algorithm(JWSAlgorithm.RS512).build();
		App rs512 = apps.register("system", "system/*.read", rs512Key);
		assertOAuthError(apps.tokenRequest(apps.form(assertion(rs512), "system/*.read")), 401, "invalid_client");

		RSAKey signing = new RSAKey.Builder((RSAKey) TestApps.rsaKey())
				.keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS384).build();
		App fine = apps.register("system", "system/*.read", signing);
		assertThat(apps.token(fine, "system/*.read")).isNotBlank();
	}

	@Test
	void rsaKeysUnder2048BitsDoNotVerify() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(1024);
		KeyPair pair = generator.generateKeyPair();
		RSAKey weak = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID("weak-1024").build();
		try (JwksServer jwks = new JwksServer(weak)) {
			App app = apps.registerWithJwksUri(jwks.url(), weak);
			SignedJWT jwt = new SignedJWT(apps.header(app).build(), apps.claims(app).build());
			jwt.sign(new RSASSASigner((RSAPrivateKey) pair.getPrivate(), true));
			assertOAuthError(apps.tokenRequest(apps.form(jwt.serialize(), "system/*.read")), 401, "invalid_client");
		}
	}

	@Test
	void invalidClientAnswersDoNotTellWhichCheckFailed() throws Exception {
		App app = apps.register("system", "system/*.read");
		App disabled = apps.register("system", "system/*.read");
		apps.admin("POST", "/clients/" + disabled.clientId() + "/disable", null, 200);
		App stranger = new App(app.clientId(), TestApps.rsaKey(), JWSAlgorithm.RS384);
		int closedPort = TestPort.free();
		App unreachable = apps.registerWithJwksUri("http://127.0.0.1:" + closedPort + "/jwks.json", TestApps.rsaKey());

		Map<String, String> attacks = new LinkedHashMap<>();
		String nobody = "nobody-" + UUID.randomUUID();
		attacks.put("unknown client", apps.assertion(app,
				apps.claims(app).issuer(nobody).subject(nobody).build(), apps.header(app).build()));
		attacks.put("disabled client", assertion(disabled));
		attacks.put("signed by another key", apps.assertion(stranger, apps.claims(app).build(),
				new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(app.key().getKeyID()).build()));
		attacks.put("unknown kid", apps.assertion(app, apps.claims(app).build(),
				new JWSHeader.Builder(JWSAlgorithm.RS384).keyID("no-such-kid").build()));
		attacks.put("unregistered jku", apps.assertion(app, apps.claims(app).build(),
				apps.header(app).jwkURL(URI.create("https://evil.example/jwks.json")).build()));
		attacks.put("keys cannot be fetched", assertion(unreachable));

		String expected = null;
		for (Map.Entry<String, String> attack : attacks.entrySet()) {
			HttpResponse<String> response = apps.tokenRequest(apps.form(attack.getValue(), "system/*.read"));
			assertOAuthError(response, 401, "invalid_client");
			String description = BulkClient.JSON.readTree(response.body()).get("error_description").asText();
			assertThat(description).as(attack.getKey()).containsPattern(REF);
			assertThat(response.body()).as(attack.getKey())
					.doesNotContain("127.0.0.1", String.valueOf(closedPort), "onnect", "xception", app.clientId());
			String generic = description.replaceAll(REF, "");
			if (expected == null) {
				expected = generic;
			}
			assertThat(generic).as(attack.getKey()).isEqualTo(expected);
		}
	}

	@Test
	void anOversizedJtiIsAClientErrorNotADatabaseError() throws Exception {
		App app = apps.register("system", "system/*.read");
		String jti = "j".repeat(5000);
		HttpResponse<String> response = apps.tokenRequest(apps.form(
				apps.assertion(app, apps.claims(app).jwtID(jti).build(), apps.header(app).build()), "system/*.read"));
		assertOAuthError(response, 401, "invalid_client");
		assertThat(response.body()).doesNotContainIgnoringCase("sql").doesNotContain("BF_USED_JTI", "xception");
	}

	private String assertion(App app) throws Exception {
		return apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
	}

	private HttpResponse<String> post(String query, String body) throws Exception {
		return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(apps.tokenUrl() + query))
						.header("Content-Type", "application/x-www-form-urlencoded")
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static String formBody(Map<String, String> form) {
		return form.entrySet().stream()
				.map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
				.collect(Collectors.joining("&"));
	}

	private record RawResponse(int status, String body) {}

	/** One HTTP/1.1 exchange over a plain socket: java.net.http will not send a Host header of our choosing. */
	private RawResponse raw(String request) throws Exception {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream buffer = new ByteArrayOutputStream();
			in.transferTo(buffer);
			String response = buffer.toString(StandardCharsets.UTF_8);
			int status = Integer.parseInt(response.substring(9, 12));
			String body = response.substring(response.indexOf("\r\n\r\n") + 4);
			if (response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase().contains("transfer-encoding: chunked")) {
				body = unchunk(body);
			}
			return new RawResponse(status, body);
		}
	}

	private static String unchunk(String chunked) {
		StringBuilder body = new StringBuilder();
		int at = 0;
		while (true) {
			int lineEnd = chunked.indexOf("\r\n", at);
			int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
			if (size == 0) {
				return body.toString();
			}
			// Sizes are in bytes; these bodies are ASCII.
			body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
			at = lineEnd + 2 + size + 2;
		}
	}

	static void assertOAuthError(HttpResponse<String> response, int status, String error) throws Exception {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode body = BulkClient.JSON.readTree(response.body());
		assertThat(body.get("error").asText()).as(response.body()).isEqualTo(error);
	}
}
