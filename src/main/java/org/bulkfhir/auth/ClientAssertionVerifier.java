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
 * Checks a SMART Backend Services client assertion (RFC 7523): RS384 or ES384 only, a {@code kid},
 * {@code iss} = {@code sub} = a registered, enabled client, {@code aud} = the configured token URL,
 * unexpired and at most five minutes ahead, signed by a key the client registered for signing,
 * and a {@code jti} never seen before.
 *
 * <p>The shape of the assertion is checked first and may be named in the answer: it tells nothing
 * about the registry. Everything that depends on the registry (client unknown or disabled, no
 * usable key, keys not fetched, signature wrong, {@code jku} not the registered URL) gives one and
 * the same answer, the detail going to the log only.
 */
public class ClientAssertionVerifier {

	public static final long CLOCK_SKEW_MILLIS = 60 * 1000L;
	private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384);
	private static final long MAX_LIFETIME_MILLIS = 5 * 60 * 1000L;
	private static final int MAX_CLIENT_ID_LENGTH = 128;

	private final ClientRegistry registry;
	private final ClientKeys keys;
	private final UsedAssertions usedAssertions;
	private final String tokenUrl;

	public ClientAssertionVerifier(
			ClientRegistry registry, ClientKeys keys, UsedAssertions usedAssertions, String tokenUrl) {
		this.registry = registry;
		this.keys = keys;
		this.usedAssertions = usedAssertions;
		this.tokenUrl = tokenUrl;
	}

	public RegisteredClient verify(String assertion) {
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
		if (header.getKeyID() == null || header.getKeyID().isBlank()) {
			throw OAuthError.invalidClient("client_assertion header needs the kid of the signing key");
		}
		String clientId = claims.getIssuer();
		if (clientId == null || !clientId.equals(claims.getSubject()) || clientId.length() > MAX_CLIENT_ID_LENGTH) {
			throw OAuthError.invalidClient("iss and sub must both be the client id");
		}
		if (claims.getAudience() == null || !claims.getAudience().contains(tokenUrl)) {
			throw OAuthError.invalidClient("aud must be the token endpoint URL " + tokenUrl);
		}
		Date expires = claims.getExpirationTime();
		long now = System.currentTimeMillis();
		if (expires == null || expires.getTime() < now - CLOCK_SKEW_MILLIS) {
			throw OAuthError.invalidClient("client_assertion has expired");
		}
		if (expires.getTime() > now + MAX_LIFETIME_MILLIS + CLOCK_SKEW_MILLIS) {
			throw OAuthError.invalidClient("client_assertion exp is more than five minutes ahead");
		}
		if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().getTime() > now + CLOCK_SKEW_MILLIS) {
			throw OAuthError.invalidClient("client_assertion is not valid yet (nbf)");
		}
		String jti = claims.getJWTID();
		if (jti == null || jti.isBlank()) {
			throw OAuthError.invalidClient("client_assertion needs a jti");
		}
		if (jti.length() > UsedAssertions.MAX_JTI_LENGTH) {
			throw OAuthError.invalidClient("client_assertion jti is longer than " + UsedAssertions.MAX_JTI_LENGTH);
		}

		RegisteredClient client = registry.find(clientId)
				.filter(RegisteredClient::enabled)
				.orElseThrow(() -> OAuthError.clientAuthenticationFailed("client " + clientId + " is unknown or disabled"));
		if (header.getJWKURL() != null && !header.getJWKURL().toString().equals(client.jwksUri())) {
			throw OAuthError.clientAuthenticationFailed(
					"client " + clientId + ": jku " + header.getJWKURL() + " is not its registered jwksUri");
		}
		checkSignature(jwt, client);
		if (!usedAssertions.firstUse(clientId, jti, expires)) {
			throw OAuthError.invalidClient("client_assertion jti was used before (replay)");
		}
		return client;
	}

	private void checkSignature(SignedJWT jwt, RegisteredClient client) {
		JWSHeader header = jwt.getHeader();
		List<JWK> candidates;
		try {
			candidates = keys.keys(client, header.getKeyID(), header.getAlgorithm());
		} catch (KeySourceException | RuntimeException e) {
			throw OAuthError.clientAuthenticationFailed("client " + client.clientId() + ": its keys could not be"
					+ " read or fetched: " + describe(e));
		}
		if (candidates.isEmpty()) {
			throw OAuthError.clientAuthenticationFailed("client " + client.clientId() + " has no usable "
					+ header.getAlgorithm() + " signing key with kid " + header.getKeyID()
					+ " (kid, use, alg, key type or RSA size do not match)");
		}
		for (JWK key : candidates) {
			try {
				JWSVerifier verifier = verifierFor(key, header.getAlgorithm());
				if (verifier != null && jwt.verify(verifier)) {
					return;
				}
			} catch (JOSEException | IllegalStateException e) {
				// try the next key
			}
		}
		throw OAuthError.clientAuthenticationFailed(
				"client " + client.clientId() + ": the signature does not verify with key " + header.getKeyID());
	}

	private static String describe(Throwable e) {
		StringBuilder text = new StringBuilder();
		for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
			text.append(text.isEmpty() ? "" : " <- ").append(cause.getClass().getSimpleName());
			if (cause.getMessage() != null) {
				text.append(": ").append(cause.getMessage());
			}
		}
		return text.toString();
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
