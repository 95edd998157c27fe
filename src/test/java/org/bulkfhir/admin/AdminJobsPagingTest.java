package org.bulkfhir.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin job list pages and filters in SQL. (A class of its own: its exports finishing just
 * before {@code AdminJobsApiTest}'s would let batch2's maintenance purge that test's work chunks
 * before it reads them.)
 */
class AdminJobsPagingTest extends ServerTestBase {

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
}
