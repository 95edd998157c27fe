package org.bulkfhir.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.io.IOException;
import java.util.Map;

/**
 * The one admin check ({@link AdminAccess#check}) for every Spring MVC handler under
 * {@code /admin} (UI and API, and any handler added there later), before the handler or its
 * arguments are touched; handlers carry no check of their own. A refusal (401 with the Basic
 * challenge, 403 for a state change without the CSRF header or from another origin) is answered
 * here, as the controllers answer errors: {@code {"error": "…"}}, plain text for the UI's files.
 */
public class AdminGuard implements HandlerInterceptor {

	public static final String[] PATHS = {"/admin", "/admin/**"};

	private final AdminAccess access;
	private final ObjectMapper json = new ObjectMapper();

	public AdminGuard(AdminAccess access) {
		this.access = access;
	}

	/** Registers the guard with the host's Spring MVC. */
	public WebMvcConfigurer configurer() {
		return new WebMvcConfigurer() {
			@Override
			public void addInterceptors(InterceptorRegistry registry) {
				registry.addInterceptor(AdminGuard.this).addPathPatterns(PATHS);
			}
		};
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws IOException {
		try {
			access.check(request);
			return true;
		} catch (ResponseStatusException refused) {
			refuse(refused, handler, response);
			return false;
		}
	}

	/** The admin API's JSON error (the UI's pages get the reason as plain text), as the controllers answer. */
	private void refuse(ResponseStatusException refused, Object handler, HttpServletResponse response)
			throws IOException {
		response.setStatus(refused.getStatusCode().value());
		if (refused.getStatusCode().value() == 401) {
			response.setHeader("WWW-Authenticate", AdminAccess.CHALLENGE);
		}
		response.setCharacterEncoding("UTF-8");
		String reason = String.valueOf(refused.getReason());
		if (handler instanceof HandlerMethod method && method.getBeanType() == AdminUiController.class) {
			response.setContentType(MediaType.TEXT_PLAIN_VALUE);
			response.getWriter().write(reason);
		} else {
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			response.getWriter().write(json.writeValueAsString(Map.of("error", reason)));
		}
	}
}
