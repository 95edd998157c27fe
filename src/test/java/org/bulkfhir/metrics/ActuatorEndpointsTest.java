package org.bulkfhir.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import org.bulkfhir.read.HapiCompatibility;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAR's Actuator endpoints over HTTP: the plugin's counters move by exactly what a real export,
 * a cancelled one and refused token requests did (scraped before and after, for a client of this
 * test's own, so other tests' exports do not count), the health shows the plugin's two indicators,
 * and neither endpoint answers without the admin credentials.
 */
class ActuatorEndpointsTest extends ServerTestBase {

	private static final String SCOPE = "system/*.read";
	private final HttpClient http = HttpClient.newHttpClient();

	@Autowired
	HapiCompatibility compatibility;

	@Autowired
	PartitionSettings partitionSettings;

	@Test
	void countersMoveByWhatExportsAndTokenRequestsDid() throws Exception {
		TestApps.App app = apps.register("system", SCOPE);
		String client = app.clientId();
		PrometheusScrape before = scrape();

		String token = apps.token(app, SCOPE);
		BulkClient mine = new BulkClient(base()).withToken(() -> token);

		// One Group export, run to its manifest and downloaded.
		String status = mine.start("Group/small/$export");
		HttpResponse<String> done = mine.poll(status, Duration.ofSeconds(60));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = BulkClient.JSON.readTree(done.body());
		long resources = 0;
		long bytes = 0;
		for (JsonNode output : manifest.get("output")) {
			resources += output.get("count").asLong();
			HttpResponse<byte[]> file = mine.sendBytes(mine.request(output.get("url").asText()).GET().build());
			assertThat(file.statusCode()).isEqualTo(200);
			bytes += file.body().length;
		}
		assertThat(resources).isPositive();
		String jobId = status.substring(status.indexOf("_jobId=") + "_jobId=".length());
		long readByHapi = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + jobId, null, 200))
				.path("readByHapi").asLong(0);

		// One system export, cancelled while it runs.
		String cancelled = mine.start("$export");
		assertThat(mine.send(mine.request(cancelled).GET().build()).statusCode()).isEqualTo(202);
		assertThat(mine.send(mine.request(cancelled).DELETE().build()).statusCode()).isEqualTo(202);

		// Two refused token requests: an unknown client, a wrong grant type.
		TestApps.App stranger = new TestApps.App("no-such-client-" + client, TestApps.rsaKey(), app.algorithm());
		HttpResponse<String> unknown = apps.tokenRequest(
				apps.form(apps.assertion(stranger, apps.claims(stranger).build(), apps.header(stranger).build()), SCOPE));
		assertThat(unknown.statusCode()).isEqualTo(401);
		Map<String, String> wrongGrant = new java.util.HashMap<>(
				apps.form(apps.assertion(app, apps.claims(app).build(), apps.header(app).build()), SCOPE));
		wrongGrant.put("grant_type", "password");
		assertThat(apps.tokenRequest(wrongGrant).statusCode()).isEqualTo(400);

		// The cancellation is counted when a maintenance pass stops the job, a moment after the DELETE.
		PrometheusScrape after = scrapeUntil(s ->
				s.value("bulkfhir_exports_cancelled_total", "client", client) >= 1, Duration.ofSeconds(30));

		assertThat(delta(before, after, "bulkfhir_exports_started_total", "client", client, "level", "group")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_exports_started_total", "client", client, "level", "system")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_exports_completed_total", "client", client, "level", "group")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_exports_completed_total", "client", client, "level", "system")).isZero();
		assertThat(delta(before, after, "bulkfhir_exports_cancelled_total", "client", client, "level", "system")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_exports_cancelled_total", "client", client, "level", "group")).isZero();
		assertThat(delta(before, after, "bulkfhir_exports_failed_total", "client", client)).isZero();

		assertThat(delta(before, after, "bulkfhir_export_resources_total", "client", client)).isEqualTo(resources);
		assertThat(delta(before, after, "bulkfhir_export_resources_total", "client", client, "path", "hapi"))
				.isEqualTo(readByHapi);
		assertThat(delta(before, after, "bulkfhir_export_resources_total", "client", client, "path", "stored"))
				.isEqualTo(resources - readByHapi);
		assertThat(delta(before, after, "bulkfhir_export_written_bytes_total", "client", client)).isEqualTo(bytes);

		// The histogram has no client label: Group exports other tests left running may complete meanwhile,
		// so it must have moved exactly as often as the completions of all clients.
		double groupCompletions = delta(before, after, "bulkfhir_exports_completed_total", "level", "group");
		assertThat(groupCompletions).isGreaterThanOrEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_export_duration_seconds_count", "level", "group"))
				.isEqualTo(groupCompletions);
		assertThat(delta(before, after, "bulkfhir_export_duration_seconds_bucket", "level", "group", "le", "+Inf"))
				.isEqualTo(groupCompletions);
		assertThat(delta(before, after, "bulkfhir_export_duration_seconds_sum", "level", "group"))
				.isPositive().isLessThan(60 * groupCompletions);

		assertThat(delta(before, after, "bulkfhir_token_requests_total", "outcome", "issued")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_token_requests_total", "outcome", "refused", "reason", "invalid_client"))
				.isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_token_requests_total", "outcome", "refused",
				"reason", "unsupported_grant_type")).isEqualTo(1);
		assertThat(delta(before, after, "bulkfhir_token_requests_total", "outcome", "refused")).isEqualTo(2);

		assertThat(after.matching("bulkfhir_export_jobs", "state", "running")).singleElement()
				.satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(0));
		assertThat(after.matching("bulkfhir_export_jobs", "state", "waiting")).singleElement()
				.satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(0));
		// The store still holds the completed export's files (the gauges are read at most every 5 s).
		int files = manifest.get("output").size();
		long minBytes = bytes;
		PrometheusScrape stored = scrapeUntil(s -> s.value("bulkfhir_storage_files") >= files
				&& s.value("bulkfhir_storage_used_bytes") >= minBytes, Duration.ofSeconds(15));
		assertThat(stored.value("bulkfhir_storage_files")).isGreaterThanOrEqualTo(files);
	}

	@Test
	void healthShowsTheExportStoreAndTheCompatibilityCheck() throws Exception {
		HttpResponse<String> response = get("/actuator/health", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD));
		assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
		JsonNode components = BulkClient.JSON.readTree(response.body()).get("components");

		JsonNode store = components.get("bulkfhirExportStore");
		assertThat(store.get("status").asText()).as(store.toString()).isEqualTo("UP");
		assertThat(store.at("/details/writable").asBoolean()).isTrue();
		assertThat(store.at("/details/maxTotalBytes").asLong()).isEqualTo(53_687_091_200L);
		assertThat(store.at("/details/minFreeBytes").asLong()).isEqualTo(1_073_741_824L);
		assertThat(store.at("/details/freeBytes").asLong()).isGreaterThan(1_073_741_824L);
		assertThat(store.toString()).doesNotContain(exportDirectory().toString());

		JsonNode compatibility = components.get("bulkfhirCompatibility");
		assertThat(compatibility.get("status").asText()).as(compatibility.toString()).isEqualTo("UP");
	}

	@Test
	void theCompatibilityIndicatorGoesDownWithTheReasonWhileExportIsSwitchedOff() throws Exception {
		partitionSettings.setPartitioningEnabled(true);
		try {
			assertThat(compatibility.check()).isNotEmpty();
			HttpResponse<String> response =
					get("/actuator/health", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD));
			assertThat(response.statusCode()).isEqualTo(503);
			JsonNode indicator = BulkClient.JSON.readTree(response.body()).at("/components/bulkfhirCompatibility");
			assertThat(indicator.get("status").asText()).isEqualTo("DOWN");
			assertThat(indicator.at("/details/reason").asText()).contains("PartitionSettings.isPartitioningEnabled()");
		} finally {
			partitionSettings.setPartitioningEnabled(false);
			compatibility.check();
		}
		JsonNode health = BulkClient.JSON.readTree(
				get("/actuator/health", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD)).body());
		assertThat(health.at("/components/bulkfhirCompatibility/status").asText()).isEqualTo("UP");
	}

	@Test
	void bothEndpointsRefuseCallersWithoutTheAdminCredentials() throws Exception {
		String token = apps.token(apps.register("system", SCOPE), SCOPE);
		for (String path : new String[] {"/actuator/health", "/actuator/prometheus", "/actuator"}) {
			for (String authorization : new String[] {
				null, TestApps.basic(TestApps.ADMIN_USER, "wrong-password"), "Bearer " + token
			}) {
				HttpResponse<String> response = get(path, authorization);
				assertThat(response.statusCode()).as(path + " with " + authorization).isEqualTo(401);
				assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
						v -> assertThat(v).startsWith("Basic"));
				assertThat(response.body()).doesNotContain("bulkfhir_", "components");
			}
		}
		HttpResponse<String> prometheus =
				get("/actuator/prometheus", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD));
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("bulkfhir_token_requests_total");
	}

	private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
		return after.value(name, labels) - before.value(name, labels);
	}

	private PrometheusScrape scrape() throws Exception {
		HttpResponse<String> response =
				get("/actuator/prometheus", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return PrometheusScrape.parse(response.body());
	}

	private PrometheusScrape scrapeUntil(Predicate<PrometheusScrape> condition, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		PrometheusScrape scrape = scrape();
		while (!condition.test(scrape) && System.nanoTime() < deadline) {
			Thread.sleep(200);
			scrape = scrape();
		}
		return scrape;
	}

	private HttpResponse<String> get(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}
}
