package org.bulkfhir.auth;

import org.bulkfhir.settings.BulkFhirProperties;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Registered applications: those declared in configuration ({@code bulkfhir.clients}), read-only,
 * and those registered through the admin API, kept in the server's database.
 */
public class ClientRegistry {

	private final JdbcTemplate jdbc;
	private final JwksUriPolicy jwksUris;
	private final Map<String, RegisteredClient> configured = new LinkedHashMap<>();

	public ClientRegistry(JdbcTemplate jdbc, List<BulkFhirProperties.Client> fromConfiguration, JwksUriPolicy jwksUris) {
		this.jdbc = jdbc;
		this.jwksUris = jwksUris;
		for (int i = 0; i < fromConfiguration.size(); i++) {
			BulkFhirProperties.Client client = fromConfiguration.get(i);
			try {
				RegisteredClient registered = new RegisteredClient(
						client.clientId(),
						client.name() == null ? client.clientId() : client.name(),
						AppType.parse(client.appType()),
						publicOnly(client.jwks()),
						client.jwksUri(),
						parseScopes(client.scopes()),
						client.enabled(),
						true);
				validate(registered);
				configured.put(client.clientId(), registered);
			} catch (IllegalArgumentException e) {
				throw new IllegalArgumentException(
						"bulkfhir.clients[" + i + "] (client-id " + client.clientId() + "): " + e.getMessage());
			}
		}
	}

	public Optional<RegisteredClient> find(String clientId) {
		if (clientId == null) {
			return Optional.empty();
		}
		if (configured.containsKey(clientId)) {
			return Optional.of(configured.get(clientId));
		}
		List<RegisteredClient> found =
				jdbc.query("SELECT * FROM BF_CLIENT WHERE CLIENT_ID = ?", ClientRegistry::map, clientId);
		return found.stream().findFirst();
	}

	public List<RegisteredClient> list() {
		List<RegisteredClient> all = new ArrayList<>(configured.values());
		all.addAll(jdbc.query("SELECT * FROM BF_CLIENT ORDER BY CREATED, CLIENT_ID", ClientRegistry::map));
		return all;
	}

	/** Stores a new client; a blank client id gets a generated one. */
	public RegisteredClient register(
			String clientId, String name, AppType appType, String jwks, String jwksUri, Set<String> scopes) {
		String id = clientId == null || clientId.isBlank() ? UUID.randomUUID().toString() : clientId.strip();
		String uri = jwksUri == null || jwksUri.isBlank() ? null : jwksUri.strip();
		RegisteredClient client = new RegisteredClient(id, name, appType, publicOnly(jwks), uri, scopes, true, false);
		validate(client);
		if (configured.containsKey(id)) {
			throw new IllegalStateException("Client '" + id + "' already exists");
		}
		try {
			jdbc.update(
					"INSERT INTO BF_CLIENT (CLIENT_ID, NAME, APP_TYPE, JWKS, JWKS_URI, SCOPES, ENABLED, CREATED)"
							+ " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					id, name, appType.code(), client.jwks(), client.jwksUri(), String.join(" ", scopes), true,
					new Timestamp(System.currentTimeMillis()));
		} catch (DuplicateKeyException e) {
			throw new IllegalStateException("Client '" + id + "' already exists");
		}
		return client;
	}

	public boolean setEnabled(String clientId, boolean enabled) {
		return jdbc.update("UPDATE BF_CLIENT SET ENABLED = ? WHERE CLIENT_ID = ?", enabled, clientId) == 1;
	}

	public boolean delete(String clientId) {
		return jdbc.update("DELETE FROM BF_CLIENT WHERE CLIENT_ID = ?", clientId) == 1;
	}

	/** The JWKS as stored: refused whole if it holds anything private (see {@link PublicJwks}). */
	private static String publicOnly(String jwks) {
		if (jwks == null || jwks.isBlank()) {
			return null;
		}
		return PublicJwks.parse(jwks).toString();
	}

	public static Set<String> parseScopes(String scopes) {
		Set<String> result = new LinkedHashSet<>();
		if (scopes != null) {
			Arrays.stream(scopes.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(result::add);
		}
		return result;
	}

	private void validate(RegisteredClient client) {
		if (client.clientId() == null || !client.clientId().matches("[A-Za-z0-9._:-]{1,128}")) {
			throw new IllegalArgumentException("clientId must be 1-128 letters, digits or . _ : -");
		}
		if (client.name() == null || client.name().isBlank() || client.name().length() > 256) {
			throw new IllegalArgumentException("name is required (at most 256 characters)");
		}
		boolean hasJwks = client.jwks() != null && !client.jwks().isBlank();
		boolean hasUri = client.jwksUri() != null && !client.jwksUri().isBlank();
		if (hasJwks == hasUri) {
			throw new IllegalArgumentException("give either jwks (a JWK Set) or jwksUri, not both or neither");
		}
		if (hasJwks && client.jwks().length() > 65_535) {
			throw new IllegalArgumentException("jwks is too large (at most 65535 characters)");
		}
		if (hasUri) {
			if (client.jwksUri().length() > 2048) {
				throw new IllegalArgumentException("jwksUri is too long (at most 2048 characters)");
			}
			jwksUris.checkRegistration(client.jwksUri());
		}
		if (client.scopes().isEmpty()) {
			throw new IllegalArgumentException("scopes must list at least one scope");
		}
		if (String.join(" ", client.scopes()).length() > 4000) {
			throw new IllegalArgumentException("scopes are too long (at most 4000 characters)");
		}
		for (String scope : client.scopes()) {
			if (Scopes.hasQuery(scope)) {
				throw new IllegalArgumentException("scope " + scope + " has a query part; scopes that filter a type"
						+ " (SMART v2 fine-grained scopes) are not supported: register the whole type or leave it out");
			}
		}
	}

	private static RegisteredClient map(ResultSet rs, int row) throws SQLException {
		return new RegisteredClient(
				rs.getString("CLIENT_ID"),
				rs.getString("NAME"),
				AppType.parse(rs.getString("APP_TYPE")),
				rs.getString("JWKS"),
				rs.getString("JWKS_URI"),
				parseScopes(rs.getString("SCOPES")),
				rs.getBoolean("ENABLED"),
				false);
	}
}
