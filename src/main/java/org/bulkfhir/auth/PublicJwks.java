package org.bulkfhir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.text.ParseException;
import java.util.Set;

/**
 * The rules for a client's public keys. A registered JWKS must hold public keys only: a JWKS with
 * private members ({@code d}, {@code p}, {@code q}, {@code dp}, {@code dq}, {@code qi}, {@code oth},
 * {@code k}) or a symmetric key is refused as a whole, and nothing of it is stored — that key has
 * been shown to someone and is leaked. RSA keys must have at least 2048 bits.
 */
public final class PublicJwks {

	public static final int MIN_RSA_BITS = 2048;

	private static final Logger LOG = LoggerFactory.getLogger(PublicJwks.class);
	private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
	private static final ObjectMapper JSON = new ObjectMapper();

	private PublicJwks() {}

	/** The JWK Set if it is acceptable; IllegalArgumentException with a message for the operator if not. */
	public static JWKSet parse(String jwks) {
		JWKSet set;
		try {
			checkNoPrivateMembers(JSON.readTree(jwks));
			set = JWKSet.parse(jwks);
		} catch (IOException | ParseException e) {
			String ref = CorrelationId.next();
			LOG.info("Refused a JWKS that does not parse (ref {}): {}", ref, e.getMessage());
			throw new IllegalArgumentException(CorrelationId.append("jwks is not a valid JWK Set", ref));
		}
		if (set.getKeys().isEmpty()) {
			throw new IllegalArgumentException("jwks holds no key");
		}
		for (JWK key : set.getKeys()) {
			if (key.isPrivate() || KeyType.OCT.equals(key.getKeyType())) {
				throw leaked();
			}
			if (key instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
				throw new IllegalArgumentException("jwks holds an RSA key of " + rsa.size() + " bits (kid "
						+ key.getKeyID() + "); RSA keys need at least " + MIN_RSA_BITS + " bits");
			}
		}
		return set;
	}

	/** Whether a key may verify a signature at all (fetched keys are not checked at registration). */
	static boolean strongEnough(JWK key) {
		return !(key instanceof RSAKey rsa) || rsa.size() >= MIN_RSA_BITS;
	}

	private static void checkNoPrivateMembers(JsonNode set) {
		JsonNode keys = set == null ? null : set.get("keys");
		if (keys == null || !keys.isArray()) {
			return;
		}
		for (JsonNode key : keys) {
			if (key.isObject() && PRIVATE_MEMBERS.stream().anyMatch(key::has)) {
				throw leaked();
			}
		}
	}

	private static IllegalArgumentException leaked() {
		return new IllegalArgumentException("jwks contains private or symmetric key material. Nothing was stored."
				+ " That private key has been shown outside the app and must be considered leaked: generate a"
				+ " new key pair, and register only its public key (no d, p, q, dp, dq, qi or k members)");
	}
}
