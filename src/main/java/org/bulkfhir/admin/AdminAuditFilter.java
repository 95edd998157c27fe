package org.bulkfhir.admin;

import org.bulkfhir.audit.AuditEntry;
import org.bulkfhir.audit.AuditSource;
import org.bulkfhir.audit.AuditTrail;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.errors.ErrorReference;
import org.bulkfhir.export.ExportJob;
import org.bulkfhir.export.ExportJobService;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.server.ResponseStatusException;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records what operators do under {@code /admin}: logins (every failed one, and a successful one
 * once per user and address per {@value #LOGIN_QUIET_MINUTES} minutes: HTTP Basic sends the
 * password with every request, so there is no login request as such), every state change (cancel
 * or delete a job, register, disable, enable or revoke a client), file downloads and audit exports.
 * Page views and JSON reads are not recorded. A download fails closed like a client's: its entry
 * is written before the file is sent, or the operator gets 503.
 *
 * <p>The job service is looked up on first use: filters are created with the web server, before
 * HAPI's beans are.
 */
public class AdminAuditFilter extends OncePerRequestFilter {

	static final int LOGIN_QUIET_MINUTES = 30;
	private static final Pattern JOB = Pattern.compile("/admin/api/jobs/([^/]+)");
	private static final Pattern JOB_FILE = Pattern.compile("/admin/api/jobs/([^/]+)/files/([^/]+)");
	private static final Pattern CLIENT = Pattern.compile("/admin/api/clients/([^/]+)(/(disable|enable))?");
	private static final int MAX_REMEMBERED_LOGINS = 10_000;

	private final AuditTrail trail;
	private final AuditSource source;
	private final Supplier<ExportJobService> jobs;
	private final AdminAccess access;
	private final Map<String, Long> lastLogin = new LinkedHashMap<>(16, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			return size() > MAX_REMEMBERED_LOGINS;
		}
	};

	public AdminAuditFilter(AuditTrail trail, AuditSource source, Supplier<ExportJobService> jobs, AdminAccess access) {
		this.trail = trail;
		this.access = access;
		this.source = source;
		this.jobs = jobs;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		// Only an operator's requests are described (anonymous ones must not make the server look up jobs or fill
		// the table); failed logins are recorded after the answer.
		AuditEntry entry = authenticated(request) ? entry(request, path) : null;
		if (entry != null && "admin.job.download".equals(entry.action())) {
			// Written before a byte is sent; completed with the answer afterwards.
			try {
				trail.insert(entry);
			} catch (RuntimeException e) {
				AuditTrail.failed(entry, e);
				String reference = ErrorReference.next();
				response.setStatus(503);
				response.setContentType("application/json");
				response.getWriter().write("{\"error\":\"The audit trail cannot be written, so no file is served ("
						+ ErrorReference.pointer(reference) + ")\",\"reference\":\"" + reference + "\"}");
				return;
			}
		}
		try {
			chain.doFilter(request, response);
		} finally {
			after(request, response, entry);
		}
	}

	private void after(HttpServletRequest request, HttpServletResponse response, AuditEntry entry) {
		int status = response.getStatus();
		Object user = request.getAttribute(AdminAccess.USER_ATTRIBUTE);
		String authorization = request.getHeader("Authorization");
		boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
		if (user == null && status == 401 && basic) {
			write(login(request, triedUser(authorization)).outcome(401, "wrong admin user or password"), false);
		} else if (user != null && firstLoginInAWhile(user.toString(), request.getRemoteAddr())) {
			write(login(request, user.toString()).outcome(200, null), false);
		}
		if (entry == null) {
			return;
		}
		if (user == null && status == 401) {
			return; // a failed login, recorded above; anonymous requests write nothing else
		}
		entry.actor(AuditEntry.ACTOR_ADMIN, user == null ? null : user.toString());
		Object target = request.getAttribute(AdminClientsController.TARGET_CLIENT_ATTRIBUTE);
		if (target != null) {
			entry.client(target.toString());
		}
		write(entry.outcome(status, status >= 400 ? "HTTP " + status : null), "admin.job.download".equals(entry.action()));
	}

	private void write(AuditEntry entry, boolean pending) {
		trail.record(entry, pending);
	}

	private AuditEntry login(HttpServletRequest request, String user) {
		return source.stamp(AuditEntry.of("admin.login").actor(AuditEntry.ACTOR_ADMIN, user), request);
	}

	/** What the admin request does, or null when it is not recorded (pages, JSON reads). */
	private AuditEntry entry(HttpServletRequest request, String path) {
		String method = request.getMethod();
		AuditEntry entry = null;
		Matcher m;
		if ("GET".equals(method) && (m = JOB_FILE.matcher(path)).matches()) {
			entry = forJob(AuditEntry.of("admin.job.download"), decode(m.group(1))).file(decode(m.group(2)));
		} else if ("GET".equals(method) && path.equals("/admin/api/audit/export")) {
			entry = AuditEntry.of("admin.audit.export").detail("query", request.getQueryString());
		} else if ("DELETE".equals(method) && (m = JOB.matcher(path)).matches()) {
			entry = forJob(AuditEntry.of("admin.job.delete"), decode(m.group(1)));
			Object state = entry.detail("state");
			if (state != null && !java.util.List.of("COMPLETED", "FAILED", "CANCELLED").contains(state.toString())) {
				entry.action("admin.job.cancel");
			}
		} else if ("POST".equals(method) && path.equals("/admin/api/clients")) {
			entry = AuditEntry.of("admin.client.register");
		} else if (("POST".equals(method) || "DELETE".equals(method)) && (m = CLIENT.matcher(path)).matches()) {
			String action = m.group(3) != null ? m.group(3) : "DELETE".equals(method) ? "revoke" : null;
			if (action != null && ("POST".equals(method) == (m.group(3) != null))) {
				entry = AuditEntry.of("admin.client." + action).client(AuditTrail.cut(decode(m.group(1)), 200));
			}
		} else if (!"GET".equals(method) && !"HEAD".equals(method)) {
			entry = AuditEntry.of("admin.other").detail("method", method).detail("path", AuditTrail.cut(path, 300));
		}
		return entry == null ? null : source.stamp(entry, request);
	}

	/** The job's owner and Group, read before the action (a delete removes them). */
	private AuditEntry forJob(AuditEntry entry, String jobId) {
		entry.job(AuditTrail.cut(jobId, 100));
		try {
			Optional<ExportJob> job = jobs.get().findAny(jobId);
			job.ifPresent(j -> {
				entry.client(j.parameters().getClientId()).group(j.parameters().getGroupId());
				entry.detail("state", j.instance().getStatus().name());
			});
		} catch (RuntimeException unknown) {
			// not a job of ours: recorded with the id as given
		}
		return entry;
	}

	/** The admin credentials are right (a 403 for a missing CSRF header still names the operator). */
	private boolean authenticated(HttpServletRequest request) {
		try {
			access.check(request);
			return true;
		} catch (ResponseStatusException refused) {
			return refused.getStatusCode().value() == 403;
		} catch (RuntimeException refused) {
			return false;
		}
	}

	private synchronized boolean firstLoginInAWhile(String user, String address) {
		long now = System.currentTimeMillis();
		Long last = lastLogin.put(user + "\n" + address, now);
		return last == null || now - last > LOGIN_QUIET_MINUTES * 60_000L;
	}

	/** The user name a failed login tried (never the password). */
	private static String triedUser(String authorization) {
		try {
			String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			return AuditTrail.cut(colon < 0 ? "?" : decoded.substring(0, colon), 200);
		} catch (IllegalArgumentException e) {
			return "?";
		}
	}

	private static String decode(String part) {
		return URLDecoder.decode(part, StandardCharsets.UTF_8);
	}
}
