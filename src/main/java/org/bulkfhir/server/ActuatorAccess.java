package org.bulkfhir.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.admin.AdminAccess;
import org.bulkfhir.admin.AdminLoginThrottle;
import org.bulkfhir.admin.AdminResponseFilter;
import org.bulkfhir.settings.BulkFhirProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.server.ResponseStatusException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The WAR's Actuator endpoints ({@code /actuator/health}, {@code /actuator/prometheus}) answer only
 * requests with the admin credentials (HTTP Basic, {@code bulkfhir.admin.*}), with the admin UI's
 * throttle of failed logins; {@code bulkfhir.server.actuator-access=open} leaves them open (for a
 * scraper on a private network). Without an admin password they always answer 401, like the admin UI.
 * With the plugin switched off ({@code bulkfhir.enabled=false}, the benchmark's stock mode) there are no
 * admin credentials, so they answer 404 to everyone. The drop-in jar leaves the host's Actuator as the
 * host configured it.
 */
@Configuration(proxyBeanMethods = false)
public class ActuatorAccess {

	private static final Logger LOG = LoggerFactory.getLogger(ActuatorAccess.class);
	private static final String[] PATHS = {"/actuator", "/actuator/*"};

	@Bean
	@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
	public FilterRegistrationBean<AdminResponseFilter> bulkfhirActuatorThrottle(
			BulkFhirProperties properties, @Value("${bulkfhir.server.actuator-access:admin}") String mode) {
		AdminLoginThrottle throttle = new AdminLoginThrottle(
				properties.admin().maxFailedLogins(), properties.admin().failedLoginWindow());
		FilterRegistrationBean<AdminResponseFilter> registration =
				new FilterRegistrationBean<>(new AdminResponseFilter(throttle));
		registration.setName("bulkfhirActuatorThrottle");
		registration.addUrlPatterns(PATHS);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
		registration.setEnabled(protect(mode));
		return registration;
	}

	@Bean
	@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
	public FilterRegistrationBean<AdminOnly> bulkfhirActuatorAccess(
			AdminAccess access, @Value("${bulkfhir.server.actuator-access:admin}") String mode) {
		FilterRegistrationBean<AdminOnly> registration = new FilterRegistrationBean<>(new AdminOnly(access));
		registration.setName("bulkfhirActuatorAccess");
		registration.addUrlPatterns(PATHS);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 101);
		boolean protect = protect(mode);
		registration.setEnabled(protect);
		if (protect) {
			LOG.info("Actuator endpoints (/actuator/*) need the admin credentials");
		} else {
			LOG.warn("bulkfhir.server.actuator-access=open: /actuator/* answers anyone; keep it reachable from"
					+ " the monitoring network only");
		}
		return registration;
	}

	@Bean
	@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "false")
	public FilterRegistrationBean<OncePerRequestFilter> bulkfhirActuatorClosed() {
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws IOException {
				response.sendError(HttpServletResponse.SC_NOT_FOUND);
			}
		});
		registration.setName("bulkfhirActuatorClosed");
		registration.addUrlPatterns(PATHS);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
		return registration;
	}

	/** admin (the default) or open; anything else stops the start-up rather than guess. */
	private static boolean protect(String mode) {
		return switch (mode.strip()) {
			case "admin" -> true;
			case "open" -> false;
			default -> throw new IllegalStateException(
					"bulkfhir.server.actuator-access must be admin or open, not '" + mode + "'");
		};
	}

	/** 401 (with the Basic challenge) unless the request carries the admin credentials. */
	static class AdminOnly extends OncePerRequestFilter {

		private final AdminAccess access;

		AdminOnly(AdminAccess access) {
			this.access = access;
		}

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			try {
				access.check(request);
			} catch (ResponseStatusException e) {
				response.setStatus(e.getStatusCode().value());
				if (e.getStatusCode().value() == 401) {
					response.setHeader("WWW-Authenticate", AdminAccess.CHALLENGE);
				}
				response.setHeader("Cache-Control", "no-store");
				response.setContentType("application/json");
				response.setCharacterEncoding(StandardCharsets.UTF_8.name());
				response.getWriter().write("{\"error\":\"" + e.getReason() + "\"}");
				return;
			}
			chain.doFilter(request, response);
		}
	}
}
