package org.bulkfhir.admin;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Guards every admin URL with HTTP Basic against {@code bulkfhir.admin.username/password}. Bearer
 * tokens (of bulk clients) and anonymous requests get 401; with no password configured, so does
 * everyone. State changes must also carry {@code X-Requested-With: bulkfhir-admin}, which a
 * cross-site form cannot send, and a same-origin {@code Origin} if the browser sends one.
 */
public class AdminAccess {

	public static final String CSRF_HEADER = "X-Requested-With";
	public static final String CSRF_VALUE = "bulkfhir-admin";
	public static final String DEMO_PASSWORD = "demo-admin";
	public static final String CHALLENGE = "Basic realm=\"bulkfhir admin\"";
	/** Request attribute: the admin user whose credentials this request carried (for the audit trail). */
	public static final String USER_ATTRIBUTE = "bulkfhir.adminUser";
	private static final Logger LOG = LoggerFactory.getLogger(AdminAccess.class);

	private final String username;
	private final String password;

	public AdminAccess(String username, String password) {
		this.username = username;
		this.password = password;
		if (DEMO_PASSWORD.equals(password)) {
			LOG.warn("**************************************************************************************");
			LOG.warn("* bulkfhir admin uses the DEMO password '{}'. Never run this configuration in production. *",
					DEMO_PASSWORD);
			LOG.warn("**************************************************************************************");
		}
	}

	/** Throws 401 unless the request carries the admin credentials; 403 for an unsafe state change. */
	public void check(HttpServletRequest request) {
		if (password == null || password.isEmpty() || !credentialsMatch(request.getHeader("Authorization"))) {
			throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "Admin credentials required");
		}
		request.setAttribute(USER_ATTRIBUTE, username);
		boolean stateChange = !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod());
		if (stateChange && !CSRF_VALUE.equals(request.getHeader(CSRF_HEADER))) {
			throw new ResponseStatusException(
					HttpStatus.FORBIDDEN, "State changes need the header " + CSRF_HEADER + ": " + CSRF_VALUE);
		}
		String origin = request.getHeader("Origin");
		if (stateChange && origin != null && !origin.equals(ownOrigin(request))) {
			throw new ResponseStatusException(HttpStatus.FORBIDDEN, "Cross-origin admin requests are refused");
		}
	}

	private boolean credentialsMatch(String header) {
		if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
			return false;
		}
		String decoded;
		try {
			decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
		} catch (IllegalArgumentException e) {
			return false;
		}
		String expected = username + ":" + password;
		return MessageDigest.isEqual(
				decoded.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
	}

	private static String ownOrigin(HttpServletRequest request) {
		String origin = request.getScheme() + "://" + request.getServerName();
		int port = request.getServerPort();
		boolean defaultPort = ("http".equals(request.getScheme()) && port == 80)
				|| ("https".equals(request.getScheme()) && port == 443);
		return defaultPort ? origin : origin + ":" + port;
	}
}
