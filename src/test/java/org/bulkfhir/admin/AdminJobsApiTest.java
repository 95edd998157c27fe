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
		// pt00003's AllergyIntolerance has an extension on meta, kept in its stored text: spliced all the same.
		// (What HAPI has to read is counted too: TagStorageModeFidelityTest, INLINE mode.)
		assertThat(detail.get("readByHapi").asInt()).isZero();
		assertThat(detail.get("perType").get("Patient").get("resources").asInt()).isEqualTo(10);
		assertThat(detail.get("client").asText()).isNotBlank();
		assertThat(detail.get("expires").asText()).isNotBlank();
		// batch2 maintenance purges a finished job's work chunks, so the list may already be empty.
		assertThat(detail.get("workChunks").isArray()).isTrue();
		detail.get("workChunks").forEach(chunk -> assertThat(chunk.get("step").asText()).isIn("plan", "write", "manifest"));
		String file = detail.get("files").get(0).get("name").asText();
		String ndjson = apps.admin("GET", "/jobs/" + id + "/files/" + file, null, 200);
		assertThat(ndjson.split("\n")).hasSize(detail.get("files").get(0).get("count").asInt());

		apps.admin("DELETE", "/jobs/" + id, null, 202);
		apps.admin("GET", "/jobs/" + id, null, 404);
	}

	@Test
	void theDetailShowsThePatientAndElementsParameters() throws Exception {
		HttpResponse<String> accepted = client.kickOffPost("Group/small/$export", "{\"resourceType\":\"Parameters\","
				+ "\"parameter\":[{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/pt00002\"}},"
				+ "{\"name\":\"_elements\",\"valueString\":\"Patient.gender,status\"}]}");
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		String status = accepted.headers().firstValue("Content-Location").orElseThrow();
		client.poll(status, Duration.ofSeconds(30));
		String id = status.substring(status.indexOf("_jobId=") + 7);

		JsonNode parameters = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + id, null, 200)).get("parameters");
		assertThat(parameters.get("patients").toString()).isEqualTo("[\"pt00002\"]");
		assertThat(parameters.get("elements").toString()).isEqualTo("[\"Patient.gender\",\"status\"]");
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
