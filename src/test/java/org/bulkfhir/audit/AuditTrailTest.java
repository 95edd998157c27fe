package org.bulkfhir.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit trail, read back over the admin API after real bulk traffic. */
class AuditTrailTest extends ServerTestBase {

	@Autowired
	private AuditTrail trail;

	@Autowired
	private AuditRetention retention;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private org.bulkfhir.export.ExportPurge purge;

	@Test
	void anExportItsDownloadARefusedTokenAndItsDeleteAreInTheTrail() throws Exception {
		Instant start = Instant.now().minusSeconds(1);
		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));

		String status = reader.start("Group/small/$export?_type=Patient,Observation");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		HttpResponse<String> done = reader.poll(status, Duration.ofSeconds(30));
		assertThat(done.statusCode()).isEqualTo(200);
		JsonNode file = BulkClient.JSON.readTree(done.body()).get("output").get(0);
		String fileUrl = file.get("url").asText();
		String fileName = java.net.URLDecoder.decode(fileUrl.substring(fileUrl.indexOf("file=") + 5), StandardCharsets.UTF_8);
		reader.download(fileUrl);
		assertThat(reader.kickOff("Group/small/$export?_type=NoSuchType").statusCode()).isEqualTo(400);
		// A token request for this client signed with a key it never registered.
		TestApps.App impostor = new TestApps.App(app.clientId(), TestApps.rsaKey(), app.algorithm());
		HttpResponse<String> refused = apps.tokenRequest(apps.form(
				apps.assertion(impostor, apps.claims(impostor).build(), apps.header(impostor).build()), "system/*.read"));
		assertThat(refused.statusCode()).isEqualTo(401);
		assertThat(reader.send(reader.request(status).DELETE().build()).statusCode()).isEqualTo(202);

		// Entries written after the answer (status, delete) are committed a moment after the client has it.
		List<JsonNode> records = awaitRecords("client=" + enc(app.clientId()) + "&from=" + start,
				list -> list.stream().anyMatch(r -> r.get("action").asText().equals("export.delete"))
						&& list.stream().noneMatch(r -> r.get("outcome").asText().equals("pending")));
		assertThat(records).allSatisfy(r -> assertThat(r.get("client").asText()).isEqualTo(app.clientId()));

		JsonNode register = only(records, "admin.client.register", null);
		assertThat(register.get("actorType").asText()).isEqualTo("admin");
		assertThat(register.get("actor").asText()).isEqualTo(TestApps.ADMIN_USER);
		assertThat(register.get("status").asInt()).isEqualTo(201);

		JsonNode issued = only(records, "token.issue", null);
		assertThat(issued.get("actor").asText()).isEqualTo(app.clientId());
		assertThat(issued.get("detail").get("granted").asText()).isEqualTo("system/*.read");
		assertThat(issued.get("address").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");

		JsonNode kickoff = only(records, "export.kickoff", 202);
		assertThat(kickoff.get("actorType").asText()).isEqualTo("client");
		assertThat(kickoff.get("actor").asText()).isEqualTo(app.clientId());
		assertThat(kickoff.get("outcome").asText()).isEqualTo("success");
		assertThat(kickoff.get("job").asText()).isEqualTo(jobId);
		assertThat(kickoff.get("group").asText()).isEqualTo("small");
		assertThat(kickoff.get("patients").asInt()).as("active members of Group small").isEqualTo(10);
		assertThat(kickoff.get("detail").get("types").toString()).contains("Patient", "Observation");
		assertThat(kickoff.get("detail").get("request").asText()).contains("Group/small/$export");

		JsonNode badKickoff = only(records, "export.kickoff", 400);
		assertThat(badKickoff.get("outcome").asText()).isEqualTo("refused");
		assertThat(badKickoff.get("reason").asText()).contains("NoSuchType");
		assertThat(badKickoff.get("job").isNull()).isTrue();

		JsonNode manifest = only(records, "export.status", 200);
		assertThat(manifest.get("job").asText()).isEqualTo(jobId);
		assertThat(manifest.get("detail").get("files").asInt()).isPositive();

		JsonNode download = only(records, "export.download", 200);
		assertThat(download.get("job").asText()).isEqualTo(jobId);
		assertThat(download.get("file").asText()).isEqualTo(fileName);
		assertThat(download.get("detail").get("type").asText()).isEqualTo(file.get("type").asText());
		assertThat(download.get("detail").get("resources").asInt()).isEqualTo(file.get("count").asInt());
		assertThat(download.get("group").asText()).isEqualTo("small");

		JsonNode delete = only(records, "export.delete", 202);
		assertThat(delete.get("job").asText()).isEqualTo(jobId);
		assertThat(delete.get("actor").asText()).isEqualTo(app.clientId());

		// A refused token has no verified client: it is found by the client id it claimed.
		List<JsonNode> refusals = awaitRecords("action=token.refuse&from=" + start,
				list -> list.stream().anyMatch(r -> app.clientId().equals(r.get("actor").asText())));
		JsonNode refusal = refusals.stream()
				.filter(r -> app.clientId().equals(r.get("actor").asText()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no token.refuse claiming " + app.clientId() + ": " + refusals));
		assertThat(refusal.get("actorType").asText()).isEqualTo("claimed-client");
		assertThat(refusal.get("status").asInt()).isEqualTo(401);
		assertThat(refusal.get("reason").asText()).startsWith("invalid_client");

		// Without bulkfhir.audit.fhir-audit-events nothing is written into HAPI.
		JsonNode auditEvents = BulkClient.JSON.readTree(
				client.send(client.request("AuditEvent?_summary=count").GET().build()).body());
		assertThat(auditEvents.get("total").asInt()).isZero();

		// Nothing of the exported resources is in the trail.
		String everything = String.join("\n", records.stream().map(JsonNode::toString).toList());
		assertThat(everything).doesNotContain("\"resourceType\"").doesNotContain("pt0000");
	}

	@Test
	void operatorActionsAndFailedLoginsAreInTheTrail() throws Exception {
		Instant start = Instant.now().minusSeconds(1);
		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		String status = reader.start("Group/small/$export?_type=Patient");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		assertThat(reader.poll(status, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
		apps.admin("DELETE", "/jobs/" + jobId, null, 202);
		java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
		HttpResponse<String> noCsrf = http.send(java.net.http.HttpRequest.newBuilder(
						java.net.URI.create(apps.adminBase() + "/clients/" + enc(app.clientId()) + "/disable"))
				.header("Authorization", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD))
				.POST(java.net.http.HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(noCsrf.statusCode()).isEqualTo(403);
		HttpResponse<String> wrongPassword = http.send(java.net.http.HttpRequest.newBuilder(
						java.net.URI.create(apps.adminBase() + "/jobs"))
				.header("Authorization", TestApps.basic("intruder-" + app.clientId(), "not-the-password"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(wrongPassword.statusCode()).isEqualTo(401);

		List<JsonNode> records = awaitRecords("client=" + enc(app.clientId()) + "&from=" + start,
				list -> list.stream().anyMatch(r -> r.get("action").asText().equals("admin.client.disable")));
		JsonNode delete = only(records, "admin.job.delete", 202);
		assertThat(delete.get("actor").asText()).isEqualTo(TestApps.ADMIN_USER);
		assertThat(delete.get("job").asText()).isEqualTo(jobId);
		assertThat(delete.get("group").asText()).isEqualTo("small");
		assertThat(delete.get("detail").get("state").asText()).isEqualTo("COMPLETED");
		JsonNode disable = only(records, "admin.client.disable", 403);
		assertThat(disable.get("outcome").asText()).isEqualTo("refused");

		List<JsonNode> logins = awaitRecords("action=admin.login&from=" + start,
				list -> list.stream().anyMatch(r -> r.get("actor").asText().equals("intruder-" + app.clientId())));
		JsonNode failed = logins.stream()
				.filter(r -> r.get("actor").asText().equals("intruder-" + app.clientId()))
				.findFirst().orElseThrow();
		assertThat(failed.get("status").asInt()).isEqualTo(401);
		assertThat(failed.toString()).doesNotContain("not-the-password");
	}

	@Test
	void theAdminPageIsPagedAndFilteredByTheDatabase() throws Exception {
		Instant start = Instant.now().minusSeconds(1);
		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		String jobId = null;
		for (int i = 0; i < 3; i++) {
			String status = reader.start("Group/small/$export?_type=Patient");
			jobId = status.substring(status.indexOf("_jobId=") + 7);
		}
		String query = "/audit?client=" + enc(app.clientId()) + "&from=" + start;
		awaitRecords("client=" + enc(app.clientId()) + "&from=" + start,
				list -> list.size() >= 5 && list.stream().noneMatch(r -> r.get("outcome").asText().equals("pending")));
		JsonNode all = BulkClient.JSON.readTree(apps.admin("GET", query + "&size=100", null, 200));
		long total = all.get("total").asLong();
		assertThat(total).isEqualTo(all.get("records").size()).isGreaterThanOrEqualTo(5); // register, token, 3 kick-offs

		JsonNode first = BulkClient.JSON.readTree(apps.admin("GET", query + "&size=2&page=0", null, 200));
		JsonNode second = BulkClient.JSON.readTree(apps.admin("GET", query + "&size=2&page=1", null, 200));
		assertThat(first.get("total").asLong()).isEqualTo(total);
		assertThat(first.get("records")).hasSize(2);
		assertThat(second.get("records")).hasSize(2);
		List<String> ids = new ArrayList<>();
		first.get("records").forEach(r -> ids.add(r.get("id").asText()));
		second.get("records").forEach(r -> ids.add(r.get("id").asText()));
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			expected.add(all.get("records").get(i).get("id").asText());
		}
		assertThat(ids).as("newest first, pages in order").isEqualTo(expected);
		Instant newest = Instant.parse(all.get("records").get(0).get("at").asText());
		Instant oldest = Instant.parse(all.get("records").get((int) total - 1).get("at").asText());
		assertThat(newest).isAfterOrEqualTo(oldest);

		JsonNode byJob = BulkClient.JSON.readTree(apps.admin("GET", "/audit?job=" + jobId, null, 200));
		assertThat(byJob.get("total").asInt()).isEqualTo(1);
		assertThat(byJob.get("records").get(0).get("action").asText()).isEqualTo("export.kickoff");
		JsonNode future = BulkClient.JSON.readTree(apps.admin("GET",
				query.replace("from=" + start, "from=" + Instant.now().plusSeconds(3600)), null, 200));
		assertThat(future.get("total").asInt()).isZero();
		JsonNode past = BulkClient.JSON.readTree(apps.admin("GET",
				"/audit?client=" + enc(app.clientId()) + "&to=" + start, null, 200));
		assertThat(past.get("total").asInt()).isZero();
		apps.admin("GET", "/audit?from=yesterday", null, 400);
	}

	@Test
	void kickOffsAndDownloadsFailClosedWhenTheTrailCannotBeWritten() throws Exception {
		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		String status = reader.start("Group/small/$export?_type=Patient");
		JsonNode manifest = BulkClient.JSON.readTree(reader.poll(status, Duration.ofSeconds(30)).body());
		String fileUrl = manifest.get("output").get(0).get("url").asText();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("ALTER TABLE BF_AUDIT RENAME TO BF_AUDIT_AWAY");
		try {
			HttpResponse<String> kickoff = reader.kickOff("Group/small/$export?_type=Patient");
			assertThat(kickoff.statusCode()).as(kickoff.body()).isEqualTo(503);
			assertThat(kickoff.body()).contains("audit trail").doesNotContain("BF_AUDIT");
			HttpResponse<String> download = reader.send(reader.request(fileUrl).GET().build());
			assertThat(download.statusCode()).isEqualTo(503);
			assertThat(download.body()).doesNotContain("\"resourceType\":\"Patient\"");
		} finally {
			jdbc.execute("ALTER TABLE BF_AUDIT_AWAY RENAME TO BF_AUDIT");
		}
		JsonNode jobs = BulkClient.JSON.readTree(apps.admin("GET", "/jobs?client=" + enc(app.clientId()), null, 200));
		assertThat(jobs.get("total").asInt()).as("no job was started without its audit entry").isEqualTo(1);
		reader.download(fileUrl);
	}

	@Test
	void aJobThePurgeRemovesIsRecordedAsTheServersAndItsEntriesStay() throws Exception {
		TestApps.App app = apps.register("system", "system/*.read");
		BulkClient reader = new BulkClient(base()).withToken(apps.tokens(app, "system/*.read"));
		String status = reader.start("Group/small/$export?_type=Patient");
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		assertThat(reader.poll(status, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
		// The job as it would be two days after it had failed: past the 24 h the purge keeps ended jobs.
		new JdbcTemplate(dataSource).update("UPDATE BT2_JOB_INSTANCE SET STAT = 'FAILED', END_TIME = ? WHERE ID = ?",
				java.sql.Timestamp.from(Instant.now().minus(2, ChronoUnit.DAYS)), jobId);

		purge.purge();

		assertThat(reader.send(reader.request(status).GET().build()).statusCode()).isEqualTo(404);
		List<JsonNode> records = awaitRecords("job=" + jobId,
				list -> list.stream().anyMatch(r -> r.get("action").asText().equals("export.purge")));
		JsonNode purged = only(records, "export.purge", 200);
		assertThat(purged.get("actorType").asText()).isEqualTo("system");
		assertThat(purged.get("client").asText()).isEqualTo(app.clientId());
		assertThat(purged.get("group").asText()).isEqualTo("small");
		assertThat(only(records, "export.kickoff", 202).get("patients").asInt()).isEqualTo(10);
	}

	@Test
	void entriesOutliveTheirJobsUntilTheRetentionPeriod() throws Exception {
		AuditEntry old = AuditEntry.of("export.kickoff").actor(AuditEntry.ACTOR_CLIENT, "retention-test")
				.client("retention-test").job("old-job").outcome(202, null);
		old.at = Instant.now().minus(2193, ChronoUnit.DAYS);
		AuditEntry kept = AuditEntry.of("export.kickoff").actor(AuditEntry.ACTOR_CLIENT, "retention-test")
				.client("retention-test").job("kept-job").outcome(202, null);
		kept.at = Instant.now().minus(2190, ChronoUnit.DAYS);
		trail.insert(old);
		trail.insert(kept);

		assertThat(retention.purge()).isGreaterThanOrEqualTo(1);

		JsonNode left = BulkClient.JSON.readTree(apps.admin("GET", "/audit?client=retention-test", null, 200));
		assertThat(left.get("total").asInt()).isEqualTo(1);
		assertThat(left.get("records").get(0).get("job").asText()).isEqualTo("kept-job");
	}

	private List<JsonNode> export(String query) throws Exception {
		String ndjson = apps.admin("GET", "/audit/export?" + query, null, 200);
		List<JsonNode> records = new ArrayList<>();
		for (String line : ndjson.split("\n")) {
			if (!line.isBlank()) {
				records.add(BulkClient.JSON.readTree(line));
			}
		}
		return records;
	}

	private List<JsonNode> awaitRecords(String query, java.util.function.Predicate<List<JsonNode>> complete)
			throws Exception {
		long deadline = System.currentTimeMillis() + 10_000;
		List<JsonNode> records = export(query);
		while (!complete.test(records) && System.currentTimeMillis() < deadline) {
			Thread.sleep(100);
			records = export(query);
		}
		return records;
	}

	private static JsonNode only(List<JsonNode> records, String action, Integer status) {
		List<JsonNode> matching = records.stream()
				.filter(r -> r.get("action").asText().equals(action))
				.filter(r -> status == null || r.get("status").asInt() == status)
				.toList();
		assertThat(matching).as(action + " " + status + " in " + records).hasSize(1);
		return matching.get(0);
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
