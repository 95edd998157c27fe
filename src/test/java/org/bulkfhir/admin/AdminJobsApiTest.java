package org.bulkfhir.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON admin API for export jobs, and the 401s of every admin URL. */
class AdminJobsApiTest extends ServerTestBase {

	@Test
	void jobsAreListedFilteredAndDetailed() throws Exception {
		String status = client.start("Group/small/$export?_type=Patient,Observation,AllergyIntolerance");
		client.poll(status, Duration.ofSeconds(30));
		String id = status.substring(status.indexOf("_jobId=") + 7);

		JsonNode list = BulkClient.JSON.readTree(apps.admin("GET", "/jobs?group=small&state=COMPLETED&size=100", null, 200));
		assertThat(list.get("total").asInt()).isGreaterThanOrEqualTo(1);
		JsonNode first = list.get("jobs").get(0);
		assertThat(first.get("group").asText()).isEqualTo("small");
		boolean found = false;
		for (JsonNode job : list.get("jobs")) {
			assertThat(job.get("state").asText()).isEqualTo("COMPLETED");
			found |= job.get("id").asText().equals(id);
		}
		assertThat(found).isTrue();
		JsonNode none = BulkClient.JSON.readTree(apps.admin("GET", "/jobs?client=nobody-at-all", null, 200));
		assertThat(none.get("total").asInt()).isZero();
		JsonNode paged = BulkClient.JSON.readTree(apps.admin("GET", "/jobs?size=1&page=0", null, 200));
		assertThat(paged.get("jobs")).hasSize(1);

		JsonNode detail = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + id, null, 200));
		assertThat(detail.get("progress").asInt()).isEqualTo(100);
		assertThat(detail.get("resources").asInt()).isEqualTo(10 + 10 * ENCOUNTERS * 3 + 10);
		// pt00003's AllergyIntolerance has an extension on meta, kept in its stored text: HAPI reads it.
		assertThat(detail.get("readByHapi").asInt()).isEqualTo(1);
		assertThat(detail.get("perType").get("Patient").get("resources").asInt()).isEqualTo(10);
		assertThat(detail.get("client").asText()).isNotBlank();
		assertThat(detail.get("expires").asText()).isNotBlank();
		assertThat(detail.get("workChunks")).isNotEmpty();
		String file = detail.get("files").get(0).get("name").asText();
		String ndjson = apps.admin("GET", "/jobs/" + id + "/files/" + file, null, 200);
		assertThat(ndjson.split("\n")).hasSize(detail.get("files").get(0).get("count").asInt());

		apps.admin("DELETE", "/jobs/" + id, null, 202);
		apps.admin("GET", "/jobs/" + id, null, 404);
	}

	/**
	 * The list pages and filters in the database: more jobs of one client than fit a page come page
	 * by page, newest first, with the total of all pages; client (any case), Group and state filter.
	 */
	@Test
	void theJobListIsPagedAndFilteredByTheDatabase() throws Exception {
		String clientId = "pager-" + java.util.UUID.randomUUID();
		TestApps.App app = apps.register(clientId, "system", "system/*.read", TestApps.rsaKey());
		BulkClient own = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		List<String> started = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			String status = own.start("Group/small/$export?_type=Patient");
			own.poll(status, Duration.ofSeconds(30));
			started.add(0, status.substring(status.indexOf("_jobId=") + 7)); // newest first
		}

		String filter = "/jobs?client=" + clientId.toUpperCase(java.util.Locale.ROOT) + "&size=2";
		JsonNode first = BulkClient.JSON.readTree(apps.admin("GET", filter + "&page=0", null, 200));
		JsonNode second = BulkClient.JSON.readTree(apps.admin("GET", filter + "&page=1", null, 200));
		JsonNode beyond = BulkClient.JSON.readTree(apps.admin("GET", filter + "&page=2", null, 200));
		assertThat(first.get("total").asInt()).isEqualTo(3);
		assertThat(second.get("total").asInt()).isEqualTo(3);
		assertThat(ids(first)).containsExactly(started.get(0), started.get(1));
		assertThat(ids(second)).containsExactly(started.get(2));
		assertThat(ids(beyond)).isEmpty();

		String narrowed = "/jobs?client=" + clientId + "&group=SMALL&state=completed&size=100";
		assertThat(ids(BulkClient.JSON.readTree(apps.admin("GET", narrowed, null, 200))))
				.containsExactlyElementsOf(started);
		assertThat(BulkClient.JSON.readTree(apps.admin("GET", "/jobs?client=" + clientId + "&group=large", null, 200))
				.get("total").asInt()).isZero();
		assertThat(BulkClient.JSON.readTree(apps.admin("GET", "/jobs?client=" + clientId + "&state=FAILED", null, 200))
				.get("total").asInt()).isZero();
		JsonNode byName = BulkClient.JSON.readTree(apps.admin("GET", "/jobs?client=TEST%20SYSTEM%20APP&size=100", null, 200));
		assertThat(byName.get("total").asInt()).isGreaterThanOrEqualTo(3);
	}

	private static List<String> ids(JsonNode page) {
		List<String> ids = new ArrayList<>();
		page.get("jobs").forEach(job -> ids.add(job.get("id").asText()));
		return ids;
	}

	@Test
	void stateChangesNeedTheCsrfHeader() throws Exception {
		String status = client.start("Group/small/$export?_type=Patient");
		String id = status.substring(status.indexOf("_jobId=") + 7);
		HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(apps.adminBase() + "/jobs/" + id))
				.header("Authorization", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD))
				.DELETE().build());
		assertThat(response.statusCode()).isEqualTo(403);
	}

	@Test
	void everyAdminUrlRefusesAnonymousWrongAndBearerCallers() throws Exception {
		String bearer = "Bearer " + apps.token(apps.register("system", "system/*.read"), "system/*.read");
		String root = apps.adminBase().replace("/admin/api", "");
		for (String url : List.of(root + "/admin/", root + "/admin/ui/app.js", apps.adminBase() + "/jobs",
				apps.adminBase() + "/jobs/x", apps.adminBase() + "/clients")) {
			for (String authorization : new String[] {null, TestApps.basic("admin", "nope"), bearer}) {
				HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
				if (authorization != null) {
					request.header("Authorization", authorization);
				}
				HttpResponse<String> response = client.send(request.GET().build());
				assertThat(response.statusCode()).as(url + " with " + authorization).isEqualTo(401);
				assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic");
			}
		}
		HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create(root + "/admin/"))
				.header("Authorization", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD)).build());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("bulkfhir");
	}
}
