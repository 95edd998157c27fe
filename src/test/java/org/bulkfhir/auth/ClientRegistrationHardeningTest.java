package org.bulkfhir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the admin API refuses to register, and that a refused registration leaves nothing behind. */
class ClientRegistrationHardeningTest extends ServerTestBase {

	@Test
	void aJwksWithPrivateKeyMaterialIsRefusedAsLeakedAndNothingIsStored() throws Exception {
		RSAKey rsa = (RSAKey) TestApps.rsaKey();
		JWK ec = TestApps.ecKey();
		OctetSequenceKey oct = new OctetSequenceKeyGenerator(256).keyID("shared-secret").generate();
		Map<String, String> pasted = Map.of(
				"RSA private key", new JWKSet(rsa).toString(false),
				"EC private key", new JWKSet(ec).toString(false),
				"symmetric key", new JWKSet(oct).toString(false),
				"public key next to a private one", new JWKSet(List.of(TestApps.rsaKey().toPublicJWK(), rsa))
						.toString(false),
				"RSA public key with only the primes", "{\"keys\":[" + rsa.toPublicJWK().toJSONString()
						.replace("}", ",\"p\":\"" + rsa.getFirstPrimeFactor() + "\",\"q\":\""
								+ rsa.getSecondPrimeFactor() + "\"}") + "]}");
		for (Map.Entry<String, String> jwks : pasted.entrySet()) {
			String clientId = "leak-" + UUID.randomUUID();
			String body = "{\"clientId\":\"" + clientId + "\",\"name\":\"leaky\",\"appType\":\"system\",\"jwks\":"
					+ jwks.getValue() + ",\"scopes\":\"system/*.read\"}";
			String error = BulkClient.JSON.readTree(apps.admin("POST", "/clients", body, 400)).get("error").asText();
			assertThat(error).as(jwks.getKey()).containsIgnoringCase("private").contains("leaked")
					.doesNotContain(rsa.getPrivateExponent().toString(), oct.getKeyValue().toString());
			apps.admin("GET", "/clients/" + clientId, null, 404);
		}
	}

	@Test
	void scopesWithAQueryPartAreRefused() throws Exception {
		String body = "{\"name\":\"lab only\",\"appType\":\"system\",\"jwks\":"
				+ new JWKSet(TestApps.rsaKey().toPublicJWK()) + ",\"scopes\":\"system/Observation.rs?category=laboratory\"}";
		String error = BulkClient.JSON.readTree(apps.admin("POST", "/clients", body, 400)).get("error").asText();
		assertThat(error).contains("system/Observation.rs?category=laboratory");
	}

	@Test
	void jwksUriMustBeHttpsToAPublicAddress() throws Exception {
		for (String uri : List.of(
				"http://jwks.example.org/jwks.json",
				"ftp://jwks.example.org/jwks.json",
				"https://user:secret@jwks.example.org/jwks.json",
				"https://10.1.2.3/jwks.json",
				"https://172.16.0.1/jwks.json",
				"https://192.168.1.10/jwks.json",
				"https://100.64.0.1/jwks.json",
				"https://169.254.169.254/latest/meta-data/",
				"https://0.0.0.0/jwks.json",
				"https://[fe80::1]/jwks.json",
				"https://[fd00:ec2::254]/latest/meta-data/",
				"https://[fc00::1]/jwks.json",
				"https://[::ffff:10.0.0.1]/jwks.json",
				"https://[::]/jwks.json",
				"https://metadata.google.internal/computeMetadata/v1/",
				"https://metadata/computeMetadata/v1/",
				"https://printer.local/jwks.json",
				"http://127.0.0.1.nip.example/jwks.json")) {
			String body = "{\"name\":\"x\",\"appType\":\"system\",\"jwksUri\":\"" + uri + "\",\"scopes\":\"system/*.read\"}";
			JsonNode error = BulkClient.JSON.readTree(apps.admin("POST", "/clients", body, 400));
			assertThat(error.get("error").asText()).as(uri).contains("jwksUri");
		}
		String fine = "{\"name\":\"x\",\"appType\":\"system\",\"jwksUri\":\"https://jwks.example.org/jwks.json\","
				+ "\"scopes\":\"system/*.read\"}";
		apps.admin("POST", "/clients", fine, 201);
	}

	@Test
	void rsaKeysUnder2048BitsAreRefused() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(1024);
		RSAKey weak = new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID("weak").build();
		String body = "{\"name\":\"weak\",\"appType\":\"system\",\"jwks\":" + new JWKSet(weak)
				+ ",\"scopes\":\"system/*.read\"}";
		String error = BulkClient.JSON.readTree(apps.admin("POST", "/clients", body, 400)).get("error").asText();
		assertThat(error).contains("2048");
	}

	@Test
	void anUnreadableJwksIsRefusedWithoutTheParserMessage() throws Exception {
		String body = "{\"name\":\"broken\",\"appType\":\"system\",\"jwks\":{\"keys\":[{\"kty\":\"RSA\"}]},"
				+ "\"scopes\":\"system/*.read\"}";
		String error = BulkClient.JSON.readTree(apps.admin("POST", "/clients", body, 400)).get("error").asText();
		assertThat(error).matches("jwks is not a valid JWK Set \\(ref [0-9a-f]{12}\\)");
	}
}
