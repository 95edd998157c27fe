package org.bulkfhir.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks a SMART Backend Services client assertion (RFC 7523): RS384 or ES384 only, signed by a key
 * the client registered, {@code iss} = {@code sub} = a registered, enabled client, {@code aud} =
 * this token endpoint, unexpired and at most five minutes ahead, and a {@code jti} never seen before.
 */
public class ClientAssertionVerifier {

	private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384);
	private static final long MAX_LIFETIME_MILLIS = 5 * 60 * 1000L;
	private static final long CLOCK_SKEW_MILLIS = 60 * 1000L;

	private final ClientRegistry registry;
	private final ClientKeys keys;
	private final UsedAssertions usedAssertions;

	public ClientAssertionVerifier(ClientRegistry registry, ClientKeys keys, UsedAssertions usedAssertions) {
		this.registry = registry;
		this.keys = keys;
		this.usedAssertions = usedAssertions;
	}

	public RegisteredClient verify(String assertion, String tokenEndpoint) {
		SignedJWT jwt;
		JWTClaimsSet claims;
		try {
			jwt = SignedJWT.parse(assertion);
			claims = jwt.getJWTClaimsSet();
		} catch (ParseException e) {
			throw OAuthError.invalidClient("client_assertion is not a signed JWT");
		}
		JWSHeader header = jwt.getHeader();
		if (!ALGORITHMS.contains(header.getAlgorithm())) {
			throw OAuthError.invalidClient("client_assertion must be signed with RS384 or ES384");
		}
		String clientId = claims.getIssuer();
		if (clientId == null || !clientId.equals(claims.getSubject())) {
			throw OAuthError.invalidClient("iss and sub must both be the client id");
		}
		RegisteredClient client = registry.find(clientId)
				.filter(RegisteredClient::enabled)
				.orElseThrow(() -> OAuthError.invalidClient("unknown or disabled client"));
		if (header.getJWKURL() != null && !header.getJWKURL().toString().equals(client.jwksUri())) {
			throw OAuthError.invalidClient("the jku header does not match the client's registered JWKS URL");
		}
		if (claims.getAudience() == null || !claims.getAudience().contains(tokenEndpoint)) {
			throw OAuthError.invalidClient("aud must be the token endpoint URL " + tokenEndpoint);
		}
		Date expires = claims.getExpirationTime();
		long now = System.currentTimeMillis();
		if (expires == null || expires.getTime() < now - CLOCK_SKEW_MILLIS) {
			throw OAuthError.invalidClient("client_assertion has expired");
		}
		if (expires.getTime() > now + MAX_LIFETIME_MILLIS + CLOCK_SKEW_MILLIS) {
			throw OAuthError.invalidClient("client_assertion exp is more than five minutes ahead");
		}
		if (!signedByClient(jwt, client)) {
			throw OAuthError.invalidClient("client_assertion signature does not verify with the client's keys");
		}
		if (claims.getJWTID() == null || claims.getJWTID().isBlank()) {
			throw OAuthError.invalidClient("client_assertion needs a jti");
		}
		if (!usedAssertions.firstUse(clientId, claims.getJWTID(), expires)) {
			throw OAuthError.invalidClient("client_assertion jti was used before (replay)");
		}
		return client;
	}

	private boolean signedByClient(SignedJWT jwt, RegisteredClient client) {
		List<JWK> candidates;
		try {
			candidates = keys.keys(client, jwt.getHeader().getKeyID());
		} catch (KeySourceException e) {
			throw OAuthError.invalidClient("the client's keys could not be fetched: " + e.getMessage());
		}
		for (JWK key : candidates) {
			try {
				JWSVerifier verifier = verifierFor(key, jwt.getHeader().getAlgorithm());
				if (verifier != null && jwt.verify(verifier)) {
					return true;
				}
			} catch (JOSEException e) {
				// try the next key
			}
		}
		return false;
	}

	private static JWSVerifier verifierFor(JWK key, JWSAlgorithm algorithm) throws JOSEException {
		if (JWSAlgorithm.RS384.equals(algorithm) && key instanceof RSAKey rsa) {
			return new RSASSAVerifier(rsa);
		}
		if (JWSAlgorithm.ES384.equals(algorithm) && key instanceof ECKey ec) {
			return new ECDSAVerifier(ec);
		}
		return null;
	}
}
