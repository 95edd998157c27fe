package org.bulkfhir.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * In front of every admin URL ({@code /admin}, {@code /admin/*}): marks every response, errors
 * included, {@code X-Content-Type-Options: nosniff}, and throttles failed HTTP Basic logins per
 * source address ({@link AdminLoginThrottle}): a locked address gets 429 with {@code Retry-After}
 * before the request reaches a controller. A failed login is a request with Basic credentials
 * answered 401. The source address is the servlet's remote address, so behind a reverse proxy
 * configure the host to take it from the proxy's header (e.g. {@code server.forward-headers-strategy}).
 */
public class AdminResponseFilter extends OncePerRequestFilter {

	private static final Logger LOG = LoggerFactory.getLogger(AdminResponseFilter.class);

	private final AdminLoginThrottle throttle;

	public AdminResponseFilter(AdminLoginThrottle throttle) {
		this.throttle = throttle;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("X-Content-Type-Options", "nosniff");
		String address = request.getRemoteAddr();
		long wait = throttle.secondsLocked(address);
		if (wait > 0) {
			refuse(request, response, wait);
			return;
		}
		chain.doFilter(request, response);
		String authorization = request.getHeader("Authorization");
		if (response.getStatus() == 401 && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			throttle.failed(address);
			if (throttle.secondsLocked(address) > 0) {
				LOG.warn("Admin logins from {} locked after too many failed attempts", address);
			}
		}
	}

	private static void refuse(HttpServletRequest request, HttpServletResponse response, long wait) throws IOException {
		String message = "Too many failed admin logins from this address; try again in " + wait + " seconds";
		response.setStatus(429);
		response.setHeader("Retry-After", Long.toString(wait));
		response.setHeader("Cache-Control", "no-store");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		if (request.getRequestURI().startsWith(request.getContextPath() + "/admin/api/")) {
			response.setContentType("application/json");
			response.getWriter().write("{\"error\":\"" + message + "\"}");
		} else {
			response.setContentType("text/plain");
			response.getWriter().write(message);
		}
	}
}
