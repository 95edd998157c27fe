package org.bulkfhir.auth;

import org.springframework.core.env.Environment;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The FHIR base URL clients use, from configuration only, never from a request: the token URL in
 * the discovery document and the CapabilityStatement, and the one {@code aud} a client assertion
 * may carry. A forged Host header changes nothing.
 */
public final class PublicBaseUrl {

	static final String SETTING = "bulkfhir.public-base-url";

	private final String base;
	private final boolean explicit;

	PublicBaseUrl(String base, boolean explicit) {
		this.base = normalize(base);
		this.explicit = explicit;
	}

	/**
	 * {@code bulkfhir.public-base-url}; unset, {@code hapi.fhir.server_address} (jpaserver-starter's
	 * own public address), else {@code http://localhost:${server.port:8080}/fhir}.
	 */
	public static PublicBaseUrl from(String configured, Environment environment) {
		if (configured != null && !configured.isBlank()) {
			return new PublicBaseUrl(configured, true);
		}
		String starter = environment.getProperty("hapi.fhir.server_address");
		if (starter != null && !starter.isBlank()) {
			return new PublicBaseUrl(starter, false);
		}
		return new PublicBaseUrl("http://localhost:" + environment.getProperty("server.port", "8080") + "/fhir", false);
	}

	public String base() {
		return base;
	}

	public String tokenUrl() {
		return base + SmartEndpoints.TOKEN_PATH;
	}

	/** Whether an operator set it, rather than it being derived. */
	public boolean explicit() {
		return explicit;
	}

	private static String normalize(String url) {
		String trimmed = url.strip();
		while (trimmed.endsWith("/")) {
			trimmed = trimmed.substring(0, trimmed.length() - 1);
		}
		try {
			URI uri = new URI(trimmed);
			boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
			if (!http || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
					|| uri.getRawUserInfo() != null) {
				throw new IllegalArgumentException(invalid(url));
			}
			return trimmed;
		} catch (URISyntaxException e) {
			throw new IllegalArgumentException(invalid(url));
		}
	}

	private static String invalid(String url) {
		return SETTING + " must be the absolute http(s) URL of the FHIR base as clients use it, without query,"
				+ " fragment or user info (e.g. https://fhir.example.org/fhir), not '" + url + "'";
	}
}
