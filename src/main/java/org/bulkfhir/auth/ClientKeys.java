package org.bulkfhir.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The public keys of a client: its inline JWKS, or its JWKS URL fetched with a timeout and cached. */
public class ClientKeys {

	private final Duration timeout;
	private final Duration cache;
	private final ConcurrentHashMap<String, JWKSource<SecurityContext>> remote = new ConcurrentHashMap<>();

	public ClientKeys(Duration timeout, Duration cache) {
		this.timeout = timeout;
		this.cache = cache;
	}

	/** Keys of the client matching the key id (all its keys when kid is null). */
	public List<JWK> keys(RegisteredClient client, String kid) throws KeySourceException {
		JWKMatcher matcher = new JWKMatcher.Builder().keyID(kid).build();
		if (client.jwks() != null && !client.jwks().isBlank()) {
			try {
				return new JWKSelector(matcher).select(JWKSet.parse(client.jwks()));
			} catch (ParseException e) {
				throw new KeySourceException("The client's JWKS cannot be parsed", e);
			}
		}
		return source(client.jwksUri()).get(new JWKSelector(matcher), null);
	}

	private JWKSource<SecurityContext> source(String jwksUri) {
		return remote.computeIfAbsent(jwksUri, uri -> {
			int millis = (int) timeout.toMillis();
			try {
				return JWKSourceBuilder.<SecurityContext>create(
								URI.create(uri).toURL(), new DefaultResourceRetriever(millis, millis, 256 * 1024))
						.cache(cache.toMillis(), timeout.toMillis())
						.retrying(false)
						.rateLimited(false)
						.build();
			} catch (MalformedURLException e) {
				throw new IllegalArgumentException("Invalid jwksUri " + uri, e);
			}
		});
	}
}
