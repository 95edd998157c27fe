package org.bulkfhir.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public keys of a client that may verify one assertion: its inline JWKS, or its JWKS URL
 * fetched through {@link JwksFetcher} (checked addresses, no redirects), cached, and rate limited
 * by nimbus (an unknown {@code kid} refreshes the set at most twice per interval, however many
 * requests carry one). A key qualifies when its {@code kid} is the header's, its {@code use} (if
 * any) is {@code sig}, its {@code alg} (if any) is the header's, its type fits the algorithm, and
 * an RSA key has at least 2048 bits.
 */
public class ClientKeys {

	private static final long RATE_LIMIT_MILLIS = 30_000;

	private final JwksFetcher fetcher;
	private final Duration cache;
	private final Duration timeout;
	private final ConcurrentHashMap<String, JWKSource<SecurityContext>> remote = new ConcurrentHashMap<>();

	public ClientKeys(JwksUriPolicy policy, Duration timeout, Duration cache) {
		this.fetcher = new JwksFetcher(policy, timeout);
		this.timeout = timeout;
		this.cache = cache;
	}

	public List<JWK> keys(RegisteredClient client, String kid, JWSAlgorithm algorithm) throws KeySourceException {
		JWKSelector selector = new JWKSelector(new JWKMatcher.Builder()
				.keyID(kid)
				.keyType(KeyType.forAlgorithm(algorithm))
				.keyUses(KeyUse.SIGNATURE, null)
				.algorithms(algorithm, null)
				.build());
		List<JWK> keys;
		if (client.jwks() != null && !client.jwks().isBlank()) {
			try {
				keys = selector.select(JWKSet.parse(client.jwks()));
			} catch (ParseException e) {
				throw new KeySourceException("The client's stored JWKS cannot be parsed", e);
			}
		} else {
			keys = source(client.jwksUri()).get(selector, null);
		}
		return keys.stream().filter(PublicJwks::strongEnough).filter(k -> !k.isPrivate()).toList();
	}

	private JWKSource<SecurityContext> source(String jwksUri) {
		return remote.computeIfAbsent(jwksUri, uri -> {
			try {
				long ttl = cache.toMillis();
				return JWKSourceBuilder.<SecurityContext>create(URI.create(uri).toURL(), fetcher)
						.cache(ttl, timeout.toMillis())
						.rateLimited(Math.min(RATE_LIMIT_MILLIS, Math.max(1, ttl - 1)))
						.retrying(false)
						.outageTolerant(false)
						.refreshAheadCache(false)
						.build();
			} catch (MalformedURLException | IllegalArgumentException e) {
				throw new IllegalStateException("Invalid jwksUri", e);
			}
		});
	}
}
