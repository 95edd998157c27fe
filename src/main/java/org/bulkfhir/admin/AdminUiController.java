package org.bulkfhir.admin;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StreamUtils;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The admin web UI: three static files from the plugin jar, behind the admin credentials. No
 * build toolchain; the page talks to the JSON admin API. ({@code X-Content-Type-Options} comes
 * from {@link AdminResponseFilter}, for every admin response.)
 */
@RestController
public class AdminUiController {

	private static final String ROOT = "org/bulkfhir/admin/ui/";
	private static final Map<String, MediaType> ASSETS = Map.of(
			"index.html", MediaType.TEXT_HTML,
			"app.js", MediaType.valueOf("text/javascript"),
			"app.css", MediaType.valueOf("text/css"));

	@GetMapping({"/admin", "/admin/"})
	public ResponseEntity<byte[]> index() throws IOException {
		return asset("index.html");
	}

	@GetMapping("/admin/ui/{name}")
	public ResponseEntity<byte[]> asset(@PathVariable String name) throws IOException {
		MediaType type = ASSETS.get(name);
		if (type == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No such file");
		}
		try (InputStream in = new ClassPathResource(ROOT + name).getInputStream()) {
			return ResponseEntity.ok()
					.contentType(type)
					.header("Cache-Control", "no-store")
					.header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
					.body(StreamUtils.copyToByteArray(in));
		}
	}

	@ExceptionHandler(ResponseStatusException.class)
	public ResponseEntity<String> status(ResponseStatusException e) {
		ResponseEntity.BodyBuilder builder = ResponseEntity.status(e.getStatusCode()).contentType(MediaType.TEXT_PLAIN);
		if (e.getStatusCode().value() == 401) {
			builder.header("WWW-Authenticate", AdminAccess.CHALLENGE);
		}
		return builder.body(String.valueOf(e.getReason()));
	}
}
