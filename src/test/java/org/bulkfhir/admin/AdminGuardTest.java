package org.bulkfhir.admin;

import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One guard ({@link AdminGuard}) protects every Spring MVC handler under {@code /admin}: each mapped
 * admin handler refuses anonymous callers with 401 and the Basic challenge, and a state change
 * without the CSRF header with 403, although no handler checks anything itself; a handler added
 * under {@code /admin/api} at run time, with no check of its own, is guarded just the same.
 */
class AdminGuardTest extends ServerTestBase {

	private static final String AUTH = TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD);

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	private RequestMappingHandlerMapping mappings;

	@Test
	void everyMappedAdminHandlerRefusesAnonymousCallers() throws Exception {
		List<String> checked = new ArrayList<>();
		for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : mappings.getHandlerMethods().entrySet()) {
			Set<RequestMethod> methods = mapping.getKey().getMethodsCondition().getMethods();
			for (String pattern : mapping.getKey().getPatternValues()) {
				if (!pattern.equals("/admin") && !pattern.startsWith("/admin/")) {
					continue;
				}
				String path = pattern.replaceAll("\\{[^}]+}", "x");
				for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
					HttpResponse<String> anonymous = send(method.name(), path, null, false);
					assertThat(anonymous.statusCode()).as(method + " " + path + ": " + anonymous.body()).isEqualTo(401);
					assertThat(anonymous.headers().firstValue("WWW-Authenticate")).as(method + " " + path)
							.contains(AdminAccess.CHALLENGE);
					if (method != RequestMethod.GET && method != RequestMethod.HEAD) {
						HttpResponse<String> noCsrf = send(method.name(), path, AUTH, false);
						assertThat(noCsrf.statusCode()).as(method + " " + path + " without CSRF header").isEqualTo(403);
					}
					checked.add(method + " " + path);
				}
			}
		}
		// the UI, the jobs, clients and audit APIs: a handler list that shrank would hide a gap
		assertThat(checked).contains("GET /admin", "GET /admin/ui/x", "GET /admin/api/jobs", "DELETE /admin/api/jobs/x",
				"POST /admin/api/clients", "GET /admin/api/audit");
	}

	@Test
	void aNewAdminHandlerWithoutACheckOfItsOwnIsGuarded() throws Exception {
		RequestMappingInfo info = RequestMappingInfo.paths("/admin/api/guard-probe")
				.methods(RequestMethod.GET, RequestMethod.POST)
				.options(mappings.getBuilderConfiguration())
				.build();
		mappings.registerMapping(info, new Probe(), Probe.class.getMethod("reached"));
		try {
			HttpResponse<String> anonymous = send("GET", "/admin/api/guard-probe", null, false);
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains(AdminAccess.CHALLENGE);
			assertThat(anonymous.body()).contains("\"error\"").doesNotContain("reached");
			assertThat(send("POST", "/admin/api/guard-probe", AUTH, false).statusCode()).isEqualTo(403);

			HttpResponse<String> admin = send("GET", "/admin/api/guard-probe", AUTH, false);
			assertThat(admin.statusCode()).isEqualTo(200);
			assertThat(admin.body()).isEqualTo("reached");
			assertThat(send("POST", "/admin/api/guard-probe", AUTH, true).statusCode()).isEqualTo(200);
		} finally {
			mappings.unregisterMapping(info);
		}
	}

	/** A handler with no admin check of its own. */
	public static class Probe {
		@org.springframework.web.bind.annotation.ResponseBody
		public String reached() {
			return "reached";
		}
	}

	private HttpResponse<String> send(String method, String path, String authorization, boolean csrf)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base().replace("/fhir", "") + path))
				.method(method, "POST".equals(method) || "PUT".equals(method)
						? HttpRequest.BodyPublishers.ofString("{}")
						: HttpRequest.BodyPublishers.noBody())
				.header("Content-Type", "application/json");
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		if (csrf) {
			request.header(AdminAccess.CSRF_HEADER, AdminAccess.CSRF_VALUE);
		}
		return client.send(request.build());
	}
}
