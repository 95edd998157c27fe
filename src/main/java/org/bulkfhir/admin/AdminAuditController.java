package org.bulkfhir.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.audit.AuditTrail;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit trail for operators: {@code GET /admin/api/audit} (a page, newest first, paged by the
 * database) and {@code GET /admin/api/audit/export} (every matching entry as NDJSON, oldest first).
 * Filters: client, job, action, and a time range {@code from} (inclusive) / {@code to} (exclusive).
 */
@RestController
@RequestMapping(path = "/admin/api/audit")
public class AdminAuditController {

	private final AuditTrail trail;
	private final ObjectMapper json = new ObjectMapper();

	public AdminAuditController(AuditTrail trail) {
		this.trail = trail;
	}

	@GetMapping(produces = "application/json")
	public Map<String, Object> page(
			@RequestParam(required = false) String client,
			@RequestParam(required = false) String job,
			@RequestParam(required = false) String action,
			@RequestParam(required = false) String from,
			@RequestParam(required = false) String to,
			@RequestParam(defaultValue = "0") int page,
			@RequestParam(defaultValue = "50") int size) {
		AuditTrail.Query query = query(client, job, action, from, to);
		int pageSize = Math.max(1, Math.min(size, 500));
		int pageNumber = Math.max(0, page);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("total", trail.count(query));
		result.put("page", pageNumber);
		result.put("size", pageSize);
		result.put("records", trail.page(query, pageNumber, pageSize).stream().map(e -> e.toMap()).toList());
		return result;
	}

	@GetMapping("/export")
	public void export(
			@RequestParam(required = false) String client,
			@RequestParam(required = false) String job,
			@RequestParam(required = false) String action,
			@RequestParam(required = false) String from,
			@RequestParam(required = false) String to,
			HttpServletResponse response)
			throws IOException {
		AuditTrail.Query query = query(client, job, action, from, to);
		response.setStatus(200);
		response.setContentType("application/x-ndjson");
		response.setCharacterEncoding("UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Content-Disposition", "attachment; filename=\"bulkfhir-audit.ndjson\"");
		OutputStream out = response.getOutputStream();
		trail.forEach(query, entry -> {
			try {
				out.write(json.writeValueAsString(entry.toMap()).getBytes(StandardCharsets.UTF_8));
				out.write('\n');
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		});
		out.flush();
	}

	@ExceptionHandler(ResponseStatusException.class)
	public ResponseEntity<Map<String, String>> status(ResponseStatusException e) {
		return AdminErrors.of(e);
	}

	private static AuditTrail.Query query(String client, String job, String action, String from, String to) {
		return new AuditTrail.Query(client, job, action, instant("from", from), instant("to", to));
	}

	private static Instant instant(String name, String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Instant.parse(value.strip());
		} catch (DateTimeParseException e) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					name + " must be an ISO-8601 instant such as 2026-11-30T00:00:00Z");
		}
	}
}
