package org.bulkfhir.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import org.bulkfhir.settings.BulkFhirProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and checks access tokens. Ours are RS256 JWTs signed with the {@link ServerKey}; a token
 * stops working at once when its client is deleted or disabled. Optionally, tokens of an external
 * OAuth server (issuer + JWKS URL + audience) are accepted too; their client ids live in a
 * namespace of their own ({@value #EXTERNAL_CLIENT_PREFIX}…), so they never meet a local client's.
 */
public class AccessTokens {

	/** Prefix of every external client id: '/' cannot occur in a local client id. */
	public static final String EXTERNAL_CLIENT_PREFIX = "external/";
	private static final String ISSUER = "bulkfhir";
	private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);

	private final ServerKey serverKey;
	private final ClientRegistry registry;
	private final Duration lifetime;
	private final BulkFhirProperties.External external;
	private final DefaultJWTProcessor<SecurityContext> externalProcessor;

	public AccessTokens(
			ServerKey serverKey,
			ClientRegistry registry,
			Duration lifetime,
			BulkFhirProperties.External external,
			Duration jwksTimeout) {
		this.serverKey = serverKey;
		this.registry = registry;
		this.lifetime = lifetime;
		this.external = external;
		this.externalProcessor = blank(external.issuer()) ? null : externalProcessor(external, jwksTimeout);
	}

	public Duration lifetime() {
		return lifetime;
	}

	public String issue(RegisteredClient client, Set<String> scopes) {
		RSAKey key = serverKey.signingKey();
		Date now = new Date();
		JWTClaimsSet claims = new JWTClaimsSet.Builder()
				.issuer(ISSUER)
				.subject(client.clientId())
				.claim("client_id", client.clientId())
				.claim("app_type", client.appType().code())
				.claim("scope", String.join(" ", scopes))
				.issueTime(now)
				.expirationTime(new Date(now.getTime() + lifetime.toMillis()))
				.jwtID(UUID.randomUUID().toString())
				.build();
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		} catch (JOSEException e) {
			throw new IllegalStateException("Cannot sign an access token", e);
		}
	}

	/** The caller a bearer token speaks for, or empty when the token is not valid now. */
	public Optional<Caller> verify(String token) {
		try {
			SignedJWT jwt = SignedJWT.parse(token);
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			if (externalProcessor != null && external.issuer().equals(claims.getIssuer())) {
				return verifyExternal(token);
			}
			if (!ISSUER.equals(claims.getIssuer()) || !JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
				return Optional.empty();
			}
			Optional<RSAKey> key = serverKey.verificationKey(
					jwt.getHeader().getKeyID(), claims.getIssueTime(), claims.getExpirationTime());
			if (key.isEmpty() || !jwt.verify(new RSASSAVerifier(key.get()))) {
				return Optional.empty();
			}
			if (claims.getExpirationTime().before(new Date())) {
				return Optional.empty();
			}
			Optional<RegisteredClient> client = registry.find(claims.getSubject()).filter(RegisteredClient::enabled);
			return client.map(c -> new Caller(
					c.clientId(), c.appType(), ClientRegistry.parseScopes(stringClaim(claims, "scope"))));
		} catch (ParseException | JOSEException | RuntimeException e) {
			return Optional.empty();
		}
	}

	private Optional<Caller> verifyExternal(String token) {
		try {
			JWTClaimsSet claims = externalProcessor.process(token, null);
			String clientId = firstPresent(
					claims.getStringClaim("client_id"), claims.getStringClaim("azp"), claims.getSubject());
			if (clientId == null) {
				LOG.debug("External token without client_id, azp or sub refused");
				return Optional.empty();
			}
			AppType appType = AppType.parse(claims.getStringClaim(external.appTypeClaim()));
			return Optional.of(new Caller(
					EXTERNAL_CLIENT_PREFIX + clientId, appType, ClientRegistry.parseScopes(stringClaim(claims, "scope"))));
		} catch (Exception e) {
			LOG.debug("External token refused: {}", e.getMessage());
			return Optional.empty();
		}
	}

	private static String firstPresent(String... values) {
		for (String value : values) {
			if (!blank(value)) {
				return value;
			}
		}
		return null;
	}

	private static boolean blank(String value) {
		return value == null || value.isBlank();
	}

	private static String stringClaim(JWTClaimsSet claims, String name) {
		Object value = claims.getClaim(name);
		return value == null ? "" : value.toString();
	}

	/** Signature from the issuer's JWKS; iss, aud (exactly the configured audience) and exp required. */
	private static DefaultJWTProcessor<SecurityContext> externalProcessor(
			BulkFhirProperties.External external, Duration jwksTimeout) {
		if (blank(external.audience())) {
			throw new IllegalArgumentException("bulkfhir.auth.external.audience is required with"
					+ " bulkfhir.auth.external.issuer: the aud this server's tokens carry at that issuer (otherwise a"
					+ " token the issuer made for any other API would be accepted here)");
		}
		if (blank(external.jwksUri())) {
			throw new IllegalArgumentException("bulkfhir.auth.external.jwks-uri is required with bulkfhir.auth.external.issuer");
		}
		int millis = (int) jwksTimeout.toMillis();
		try {
			DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
			processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
					Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.ES256, JWSAlgorithm.ES384),
					JWKSourceBuilder.<SecurityContext>create(
									URI.create(external.jwksUri()).toURL(), new DefaultResourceRetriever(millis, millis,
											JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT))
							.build()));
			processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
					new HashSet<>(Set.of(external.audience())),
					new JWTClaimsSet.Builder().issuer(external.issuer()).build(),
					new HashSet<>(Set.of("iss", "aud", "exp")),
					null));
			return processor;
		} catch (MalformedURLException | IllegalArgumentException e) {
			throw new IllegalArgumentException("bulkfhir.auth.external.jwks-uri is not a URL");
		}
	}
}
