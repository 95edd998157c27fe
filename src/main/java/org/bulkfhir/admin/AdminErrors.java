package org.bulkfhir.admin;

import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;

import java.util.Map;

/** The JSON error answer of every admin API endpoint; a 401 asks the browser for the admin login. */
final class AdminErrors {

	private AdminErrors() {}

	static ResponseEntity<Map<String, String>> of(ResponseStatusException e) {
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(e.getStatusCode());
		if (e.getStatusCode().value() == 401) {
			builder.header("WWW-Authenticate", AdminAccess.CHALLENGE);
		}
		return builder.body(Map.of("error", String.valueOf(e.getReason())));
	}
}
