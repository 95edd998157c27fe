package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The SMART Backend Services endpoints, under the FHIR base so they work in any HAPI host:
 * {@code [base]/.well-known/smart-configuration} and the token endpoint {@code [base]/auth/token}.
 */
@Interceptor
public class SmartEndpoints {

	public static final String DISCOVERY_PATH = "/.well-known/smart-configuration";
	public static final String TOKEN_PATH = "/auth/token";
	private static final String GRANT_TYPE = "client_credentials";
	private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private final ClientAssertionVerifier assertions;
	private final AccessTokens tokens;
	private final ObjectMapper json = new ObjectMapper();

	public SmartEndpoints(ClientAssertionVerifier assertions, AccessTokens tokens) {
		this.assertions = assertions;
		this.tokens = tokens;
	}

	/** The FHIR base of a request: its URL up to the servlet path. */
	public static String fhirBase(HttpServletRequest request) {
		String url = request.getRequestURL().toString();
		String pathInfo = request.getPathInfo();
		return pathInfo == null ? url : url.substring(0, url.length() - pathInfo.length());
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String path = request.getPathInfo();
		if (DISCOVERY_PATH.equals(path) && "GET".equals(request.getMethod())) {
			writeJson(response, 200, discovery(fhirBase(request)));
			return false;
		}
		if (TOKEN_PATH.equals(path)) {
			if (!"POST".equals(request.getMethod())) {
				writeJson(response, 405, error("invalid_request", "The token endpoint takes a form POST"));
				return false;
			}
			token(request, response);
			return false;
		}
		return true;
	}

	private ObjectNode discovery(String base) {
		ObjectNode document = json.createObjectNode();
		document.put("issuer", base);
		document.put("token_endpoint", base + TOKEN_PATH);
		document.putArray("token_endpoint_auth_methods_supported").add("private_key_jwt");
		document.putArray("token_endpoint_auth_signing_alg_values_supported").add("RS384").add("ES384");
		document.putArray("grant_types_supported").add(GRANT_TYPE);
		document.putArray("scopes_supported").add("system/*.read").add("system/*.rs");
		var capabilities = document.putArray("capabilities");
		List.of("client-confidential-asymmetric", "permission-v1", "permission-v2").forEach(capabilities::add);
		return document;
	}

	private void token(HttpServletRequest request, HttpServletResponse response) throws IOException {
		try {
			if (!GRANT_TYPE.equals(request.getParameter("grant_type"))) {
				throw new OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
			}
			if (!ASSERTION_TYPE.equals(request.getParameter("client_assertion_type"))) {
				throw new OAuthError(400, "invalid_request", "client_assertion_type must be " + ASSERTION_TYPE);
			}
			String assertion = request.getParameter("client_assertion");
			if (assertion == null || assertion.isBlank()) {
				throw new OAuthError(400, "invalid_request", "client_assertion is required");
			}
			RegisteredClient client = assertions.verify(assertion, fhirBase(request) + TOKEN_PATH);
			Set<String> requested = ClientRegistry.parseScopes(request.getParameter("scope"));
			Set<String> granted = Scopes.grant(requested, client.scopes());
			if (granted.isEmpty()) {
				throw new OAuthError(400, "invalid_scope", "none of the requested scopes may be granted to this client");
			}
			ObjectNode body = json.createObjectNode();
			body.put("access_token", tokens.issue(client, granted));
			body.put("token_type", "bearer");
			body.put("expires_in", tokens.lifetime().toSeconds());
			body.put("scope", String.join(" ", granted));
			writeJson(response, 200, body);
		} catch (OAuthError e) {
			if (e.status() == 401) {
				response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_client\"");
			}
			writeJson(response, e.status(), error(e.error(), e.getMessage()));
		}
	}

	private ObjectNode error(String error, String description) {
		ObjectNode body = json.createObjectNode();
		body.put("error", error);
		body.put("error_description", description);
		return body;
	}

	private void writeJson(HttpServletResponse response, int status, ObjectNode body) throws IOException {
		response.setStatus(status);
		response.setContentType("application/json");
		response.setCharacterEncoding("UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Pragma", "no-cache");
		json.writeValue(response.getOutputStream(), body);
	}
}
