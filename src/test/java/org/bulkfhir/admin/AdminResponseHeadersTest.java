package org.bulkfhir.admin;

import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Every admin response, errors included, tells the browser not to sniff its content type. */
class AdminResponseHeadersTest extends ServerTestBase {

	private static final String AUTH = TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD);

	@Test
	void everyAdminAnswerCarriesNosniff() throws Exception {
		String root = base().replace("/fhir", "");
		assertNosniff(200, get(root + "/admin/api/jobs", AUTH));
		assertNosniff(200, get(root + "/admin/api/clients", AUTH));
		assertNosniff(200, get(root + "/admin/", AUTH));
		assertNosniff(200, get(root + "/admin/ui/app.js", AUTH));
		assertNosniff(401, get(root + "/admin/api/jobs", null));
		assertNosniff(401, get(root + "/admin/", null));
		assertNosniff(401, get(root + "/admin/ui/app.css", null));
		assertNosniff(404, get(root + "/admin/api/jobs/no-such-job", AUTH));
		assertNosniff(404, get(root + "/admin/api/clients/no-such-client", AUTH));
		assertNosniff(404, get(root + "/admin/ui/nothing.js", AUTH));
		assertNosniff(404, get(root + "/admin/api/no-such-endpoint", AUTH));
		assertNosniff(403, client.send(HttpRequest.newBuilder(URI.create(root + "/admin/api/jobs/x"))
				.header("Authorization", AUTH).DELETE().build()));
		assertNosniff(400, client.send(HttpRequest.newBuilder(URI.create(root + "/admin/api/clients"))
				.header("Authorization", AUTH)
				.header("X-Requested-With", "bulkfhir-admin")
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{not json"))
				.build()));
	}

	private HttpResponse<String> get(String url, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return client.send(request.GET().build());
	}

	private static void assertNosniff(int status, HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(status);
		assertThat(response.headers().allValues("X-Content-Type-Options")).as(response.uri() + " " + status)
				.containsExactly("nosniff");
	}
}
