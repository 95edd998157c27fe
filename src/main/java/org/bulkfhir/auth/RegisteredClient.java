package org.bulkfhir.auth;

import java.util.Set;

/**
 * A registered application: who it is, what kind of app, its public keys (inline JWKS or a JWKS
 * URL) and the scopes it may be granted.
 */
public record RegisteredClient(
		String clientId,
		String name,
		AppType appType,
		String jwks,
		String jwksUri,
		Set<String> scopes,
		boolean enabled,
		boolean fromConfiguration) {}
