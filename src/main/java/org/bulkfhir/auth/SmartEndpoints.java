package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The SMART Backend Services endpoints, under the FHIR base so they work in any HAPI host:
 * {@code [base]/.well-known/smart-configuration} and the token endpoint {@code [base]/auth/token}.
 * Both name the configured {@link PublicBaseUrl}, never the request's Host.
 *
 * <p>Every refusal of the token endpoint is logged at INFO with a correlation id that the answer's
 * {@code error_description} ends with; the answer itself carries no exception text.
 */
@Interceptor
public class SmartEndpoints {

	/** Request attributes the token endpoint leaves for the audit trail (read by {@code audit.BulkAuditInterceptor}). */
	public static final String TOKEN_CLIENT = "bulkfhir.audit.tokenClient";
	public static final String TOKEN_GRANTED = "bulkfhir.audit.tokenGranted";
	public static final String TOKEN_REFUSAL = "bulkfhir.audit.tokenRefusal";

	public static final String DISCOVERY_PATH = "/.well-known/smart-configuration";
	public static final String TOKEN_PATH = "/auth/token";
	private static final String GRANT_TYPE = "client_credentials";
	private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
	private static final Set<String> FORM_FIELDS =
			Set.of("grant_type", "client_assertion_type", "client_assertion", "scope", "client_id");
	private static final Logger LOG = LoggerFactory.getLogger(SmartEndpoints.class);

	private final ClientAssertionVerifier assertions;
	private final AccessTokens tokens;
	private final PublicBaseUrl publicBase;
	private final ObjectMapper json = new ObjectMapper();
	private final List<TokenListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** Told of every answer of the token endpoint (metrics). */
	public interface TokenListener {
		void issued(String clientId);

		/** @param error the RFC 6749 error code of the answer ({@code invalid_client}, {@code server_error}…) */
		void refused(String error);
	}

	public SmartEndpoints(ClientAssertionVerifier assertions, AccessTokens tokens, PublicBaseUrl publicBase) {
		this.assertions = assertions;
		this.tokens = tokens;
		this.publicBase = publicBase;
	}

	public void addListener(TokenListener listener) {
		listeners.add(listener);
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String path = request.getPathInfo();
		if (DISCOVERY_PATH.equals(path) && "GET".equals(request.getMethod())) {
			writeJson(response, 200, discovery());
			return false;
		}
		if (TOKEN_PATH.equals(path)) {
			if (!"POST".equals(request.getMethod())) {
				refuse(response, new OAuthError(405, "invalid_request", "The token endpoint takes a form POST"), request);
				return false;
			}
			token(request, response);
			return false;
		}
		return true;
	}

	private ObjectNode discovery() {
		ObjectNode document = json.createObjectNode();
		document.put("issuer", publicBase.base());
		document.put("token_endpoint", publicBase.tokenUrl());
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
			checkFormFieldsOnlyInTheBody(request);
			if (!GRANT_TYPE.equals(request.getParameter("grant_type"))) {
				throw new OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials");
			}
			if (!ASSERTION_TYPE.equals(request.getParameter("client_assertion_type"))) {
				throw OAuthError.invalidRequest("client_assertion_type must be " + ASSERTION_TYPE);
			}
			String assertion = request.getParameter("client_assertion");
			if (assertion == null || assertion.isBlank()) {
				throw OAuthError.invalidRequest("client_assertion is required");
			}
			Set<String> requested = ClientRegistry.parseScopes(request.getParameter("scope"));
			for (String scope : requested) {
				if (Scopes.hasQuery(scope)) {
					throw new OAuthError(400, "invalid_scope", "scopes with a query part (SMART v2 fine-grained"
							+ " scopes) are not supported; ask for whole types, e.g. system/Observation.rs");
				}
			}
			RegisteredClient client = assertions.verify(assertion);
			Set<String> granted = Scopes.grant(requested, client.scopes());
			if (granted.isEmpty()) {
				throw new OAuthError(400, "invalid_scope", "none of the requested scopes may be granted to this client");
			}
			ObjectNode body = json.createObjectNode();
			body.put("access_token", tokens.issue(client, granted));
			body.put("token_type", "bearer");
			body.put("expires_in", tokens.lifetime().toSeconds());
			body.put("scope", String.join(" ", granted));
			request.setAttribute(TOKEN_CLIENT, client.clientId());
			request.setAttribute(TOKEN_GRANTED, String.join(" ", granted));
			tell(listener -> listener.issued(client.clientId()));
			writeJson(response, 200, body);
			LOG.debug("Access token issued to client {} for scopes {}", client.clientId(), String.join(" ", granted));
		} catch (OAuthError e) {
			refuse(response, e, request);
		} catch (RuntimeException e) {
			String ref = CorrelationId.next();
			LOG.warn("Token request failed (ref {})", ref, e);
			request.setAttribute(TOKEN_REFUSAL, "server_error (ref " + ref + ")");
			ObjectNode body = error("server_error", CorrelationId.append("the token could not be issued", ref));
			writeJson(response, 500, body);
			tell(listener -> listener.refused("server_error"));
		}
	}

	/**
	 * The form fields count from the POST body only, once each: in a query string they end up in
	 * logs and browser histories, and a second value could be read differently by another parser.
	 */
	private static void checkFormFieldsOnlyInTheBody(HttpServletRequest request) {
		String query = request.getQueryString();
		if (query != null) {
			for (String pair : query.split("&")) {
				int equals = pair.indexOf('=');
				String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
				if (FORM_FIELDS.contains(name)) {
					throw OAuthError.invalidRequest(name + " must be sent in the POST body"
							+ " (application/x-www-form-urlencoded), not in the URL");
				}
			}
		}
		for (String field : FORM_FIELDS) {
			String[] values = request.getParameterValues(field);
			if (values != null && values.length > 1) {
				throw OAuthError.invalidRequest(field + " is given more than once");
			}
		}
	}

	private void refuse(HttpServletResponse response, OAuthError e, HttpServletRequest request) throws IOException {
		String ref = CorrelationId.next();
		LOG.info("Token request refused (ref {}): {} {}{} [from {}]", ref, e.error(), e.getMessage(),
				e.detail() == null ? "" : " - " + e.detail(), request.getRemoteAddr());
		request.setAttribute(TOKEN_REFUSAL, e.error() + ": " + e.getMessage()
				+ (e.detail() == null ? "" : " - " + e.detail()) + " (ref " + ref + ")");
		if (e.status() == 401) {
			response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_client\"");
		}
		// Counted before answering: a client that reads the metrics right after its answer sees its request.
		tell(listener -> listener.refused(e.error()));
		writeJson(response, e.status(), error(e.error(), CorrelationId.append(e.getMessage(), ref)));
	}

	private void tell(java.util.function.Consumer<TokenListener> event) {
		for (TokenListener listener : listeners) {
			try {
				event.accept(listener);
			} catch (RuntimeException e) {
				LOG.warn("Token endpoint listener failed: {}", e.toString());
			}
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
