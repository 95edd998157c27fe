package org.bulkfhir.admin;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import org.bulkfhir.auth.AppType;
import org.bulkfhir.auth.ClientRegistry;
import org.bulkfhir.auth.RegisteredClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Client registration for operators: {@code /admin/api/clients}. */
@RestController
@RequestMapping(path = "/admin/api/clients", produces = "application/json")
public class AdminClientsController {

	/** Request attribute: the client a registration created (for the audit trail). */
	public static final String TARGET_CLIENT_ATTRIBUTE = "bulkfhir.adminTargetClient";

	private final ClientRegistry registry;

	public AdminClientsController(ClientRegistry registry) {
		this.registry = registry;
	}

	@GetMapping
	public List<Map<String, Object>> list() {
		return registry.list().stream().map(AdminClientsController::view).toList();
	}

	@GetMapping("/{clientId}")
	public Map<String, Object> get(@PathVariable String clientId) {
		return view(registry.find(clientId).orElseThrow(() -> notFound(clientId)));
	}

	@PostMapping(consumes = "application/json")
	public ResponseEntity<Map<String, Object>> register(@RequestBody JsonNode body, HttpServletRequest request) {
		JsonNode jwks = body.get("jwks");
		String jwksText = jwks == null || jwks.isNull() ? null : (jwks.isTextual() ? jwks.asText() : jwks.toString());
		RegisteredClient client = registry.register(
				text(body, "clientId"),
				text(body, "name"),
				AppType.parse(text(body, "appType")),
				jwksText,
				text(body, "jwksUri"),
				ClientRegistry.parseScopes(scopes(body.get("scopes"))));
		request.setAttribute(TARGET_CLIENT_ATTRIBUTE, client.clientId());
		return ResponseEntity.status(HttpStatus.CREATED).body(view(client));
	}

	@PostMapping("/{clientId}/disable")
	public Map<String, Object> disable(@PathVariable String clientId) {
		return setEnabled(clientId, false);
	}

	@PostMapping("/{clientId}/enable")
	public Map<String, Object> enable(@PathVariable String clientId) {
		return setEnabled(clientId, true);
	}

	@DeleteMapping("/{clientId}")
	public ResponseEntity<Void> revoke(@PathVariable String clientId) {
		if (!registry.delete(clientId)) {
			throw notFound(clientId);
		}
		return ResponseEntity.noContent().build();
	}

	@ExceptionHandler(IllegalArgumentException.class)
	public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
		return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
	}

	@ExceptionHandler(IllegalStateException.class)
	public ResponseEntity<Map<String, String>> conflict(IllegalStateException e) {
		return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
	}

	@ExceptionHandler(ResponseStatusException.class)
	public ResponseEntity<Map<String, String>> status(ResponseStatusException e) {
		return AdminErrors.of(e);
	}

	private Map<String, Object> setEnabled(String clientId, boolean enabled) {
		if (!registry.setEnabled(clientId, enabled)) {
			throw notFound(clientId);
		}
		return view(registry.find(clientId).orElseThrow(() -> notFound(clientId)));
	}

	private static String scopes(JsonNode node) {
		if (node == null || node.isNull()) {
			return null;
		}
		if (node.isArray()) {
			StringBuilder joined = new StringBuilder();
			node.forEach(s -> joined.append(s.asText()).append(' '));
			return joined.toString();
		}
		return node.asText();
	}

	private static String text(JsonNode body, String field) {
		JsonNode node = body.get(field);
		return node == null || node.isNull() ? null : node.asText();
	}

	private static ResponseStatusException notFound(String clientId) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No client '" + clientId + "'");
	}

	static Map<String, Object> view(RegisteredClient client) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("clientId", client.clientId());
		view.put("name", client.name());
		view.put("appType", client.appType().code());
		view.put("jwksUri", client.jwksUri());
		view.put("hasJwks", client.jwks() != null);
		view.put("scopes", String.join(" ", client.scopes()));
		view.put("enabled", client.enabled());
		view.put("fromConfiguration", client.fromConfiguration());
		return view;
	}
}
