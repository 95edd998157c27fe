package org.bulkfhir.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registers SMART Backend Services apps through the admin API with keys made here, and gets
 * tokens from the token endpoint with signed client assertions, as a real app would.
 */
public class TestApps {

	public static final String ADMIN_USER = "admin";
	public static final String ADMIN_PASSWORD = "test-admin-secret";
	/** What a System app that loads data and exports it registers and asks for. */
	public static final String READ_WRITE_SCOPES = "system/*.read system/*.write";

	private final String fhirBase;
	private final HttpClient http = HttpClient.newHttpClient();

	public TestApps(String fhirBase) {
		this.fhirBase = fhirBase;
	}

	/** A registered app and its private key. */
	public record App(String clientId, JWK key, JWSAlgorithm algorithm) {}

	public String tokenUrl() {
		return fhirBase + "/auth/token";
	}

	public String adminBase() {
		return fhirBase.substring(0, fhirBase.length() - "/fhir".length()) + "/admin/api";
	}

	public static JWK rsaKey() throws JOSEException {
		return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
	}

	public static JWK ecKey() throws JOSEException {
		return new ECKeyGenerator(Curve.P_384).keyID(UUID.randomUUID().toString()).generate();
	}

	/** Tokens of a new System app that may read (and export) and write everything. */
	public Supplier<String> readWriteTokens() throws Exception {
		return tokens(register("system", READ_WRITE_SCOPES), READ_WRITE_SCOPES);
	}

	public App register(String appType, String scopes) throws Exception {
		return register(appType, scopes, rsaKey());
	}

	public App register(String appType, String scopes, JWK key) throws Exception {
		String jwks = new JWKSet(key.toPublicJWK()).toString();
		String body = "{\"name\":\"test " + appType + " app\",\"appType\":\"" + appType + "\",\"jwks\":" + jwks
				+ ",\"scopes\":\"" + scopes + "\"}";
		JsonNode created = BulkClient.JSON.readTree(admin("POST", "/clients", body, 201));
		JWSAlgorithm algorithm = key instanceof ECKey ? JWSAlgorithm.ES384 : JWSAlgorithm.RS384;
		return new App(created.get("clientId").asText(), key, algorithm);
	}

	public App registerWithJwksUri(String jwksUri, JWK key) throws Exception {
		String body = "{\"name\":\"jwks-url app\",\"appType\":\"system\",\"jwksUri\":\"" + jwksUri
				+ "\",\"scopes\":\"system/*.read\"}";
		JsonNode created = BulkClient.JSON.readTree(admin("POST", "/clients", body, 201));
		return new App(created.get("clientId").asText(), key,
				key instanceof ECKey ? JWSAlgorithm.ES384 : JWSAlgorithm.RS384);
	}

	/** An admin API call with the admin credentials; asserts the status. */
	public String admin(String method, String path, String jsonBody, int expectedStatus) throws Exception {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(adminBase() + path))
				.header("Authorization", basic(ADMIN_USER, ADMIN_PASSWORD))
				.header("X-Requested-With", "bulkfhir-admin");
		if (jsonBody != null) {
			builder.header("Content-Type", "application/json");
		}
		builder.method(method, jsonBody == null
				? HttpRequest.BodyPublishers.noBody()
				: HttpRequest.BodyPublishers.ofString(jsonBody));
		HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expectedStatus);
		return response.body();
	}

	public static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/** A client assertion with the standard claims; callers may tweak claims and header. */
	public String assertion(App app, JWTClaimsSet claims, JWSHeader header) throws JOSEException {
		SignedJWT jwt = new SignedJWT(header, claims);
		if (app.key() instanceof ECKey ec) {
			jwt.sign(new ECDSASigner(ec));
		} else {
			jwt.sign(new RSASSASigner((RSAKey) app.key()));
		}
		return jwt.serialize();
	}

	public JWTClaimsSet.Builder claims(App app) {
		return new JWTClaimsSet.Builder()
				.issuer(app.clientId())
				.subject(app.clientId())
				.audience(tokenUrl())
				.expirationTime(new Date(System.currentTimeMillis() + 240_000))
				.jwtID(UUID.randomUUID().toString());
	}

	public JWSHeader.Builder header(App app) {
		return new JWSHeader.Builder(app.algorithm()).keyID(app.key().getKeyID());
	}

	/** POSTs a token request; returns the raw response. */
	public HttpResponse<String> tokenRequest(Map<String, String> form) throws Exception {
		String body = form.entrySet().stream()
				.map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
				.collect(Collectors.joining("&"));
		return http.send(HttpRequest.newBuilder(URI.create(tokenUrl()))
						.header("Content-Type", "application/x-www-form-urlencoded")
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build(),
				HttpResponse.BodyHandlers.ofString());
	}

	public Map<String, String> form(String assertion, String scope) {
		return Map.of(
				"grant_type", "client_credentials",
				"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
				"client_assertion", assertion,
				"scope", scope);
	}

	public String token(App app, String scope) throws Exception {
		HttpResponse<String> response =
				tokenRequest(form(assertion(app, claims(app).build(), header(app).build()), scope));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return BulkClient.JSON.readTree(response.body()).get("access_token").asText();
	}

	/** Fresh tokens on demand, renewed well before they expire. */
	public Supplier<String> tokens(App app, String scope) {
		return new Supplier<>() {
			private String token;
			private long fetchedAt;

			@Override
			public synchronized String get() {
				if (token == null || System.currentTimeMillis() - fetchedAt > 120_000) {
					try {
						token = token(app, scope);
					} catch (Exception e) {
						throw new IllegalStateException(e);
					}
					fetchedAt = System.currentTimeMillis();
				}
				return token;
			}
		};
	}
}
