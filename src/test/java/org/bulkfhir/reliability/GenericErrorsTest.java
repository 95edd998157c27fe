package org.bulkfhir.reliability;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real internal faults (no mocks): a directory where an export file should be, a file where a
 * job's directory should be, a stored resource that no longer parses. The client gets a generic
 * message with a reference and nothing of the fault itself (no path, exception text or class
 * name); the server log has the detail under that reference.
 */
class GenericErrorsTest extends ServerTestBase {

	private static final Pattern REFERENCE = Pattern.compile("reference ([0-9a-f]{16})");

	@Autowired
	DataSource dataSource;

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void captureLog() {
		log.start();
		root().addAppender(log);
	}

	@AfterEach
	void releaseLog() {
		root().detachAppender(log);
	}

	@Test
	void anUnreadableExportFileGivesAGeneric500WithAReference() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Patient");
		String url = manifest.get("output").get(0).get("url").asText();
		String jobId = param(url, "_jobId");
		Path file = exportDirectory().resolve(jobId).resolve(param(url, "file"));
		Files.delete(file);
		Files.createDirectory(file); // a directory where the file should be

		HttpResponse<String> response = client.send(client.request(url).GET().build());

		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("fhir+json");
		String reference = assertGeneric(response.body());
		assertThat(logged(reference)).contains("IOException").contains("Is a directory");

		// The admin API's download of the same file: a generic JSON error with its own reference.
		HttpResponse<String> admin = client.send(java.net.http.HttpRequest.newBuilder(
						java.net.URI.create(apps.adminBase() + "/jobs/" + jobId + "/files/" + file.getFileName()))
				.header("Authorization", org.bulkfhir.support.TestApps.basic(
						org.bulkfhir.support.TestApps.ADMIN_USER, org.bulkfhir.support.TestApps.ADMIN_PASSWORD))
				.GET().build());
		assertThat(admin.statusCode()).isEqualTo(500);
		assertThat(admin.body()).contains("\"error\"");
		String adminReference = assertGeneric(admin.body());
		assertThat(adminReference).isNotEqualTo(reference);
		assertThat(logged(adminReference)).contains("Is a directory");
		Files.delete(file);
	}

	@Test
	void aFailedJobsStatusIsGenericWithAReference() throws Exception {
		HttpResponse<String> failed = null;
		Path blocker = null;
		String status = null;
		for (int attempt = 0; attempt < 3 && failed == null; attempt++) {
			status = client.start("Group/small/$export?_type=Patient");
			// A file where the job's directory will be created: every write of the job fails.
			blocker = exportDirectory().resolve(status.substring(status.indexOf("_jobId=") + 7));
			try {
				Files.writeString(blocker, "in the way");
			} catch (java.nio.file.FileAlreadyExistsException raceLost) {
				continue;
			}
			HttpResponse<String> answer = client.poll(status, Duration.ofSeconds(60));
			if (answer.statusCode() == 500) {
				failed = answer;
			}
		}
		assertThat(failed).as("the job failed").isNotNull();
		assertThat(failed.body()).contains("failed");
		String reference = assertGeneric(failed.body());
		assertThat(logged(reference)).contains(blocker.toString());

		assertThat(client.send(client.request(status).DELETE().build()).statusCode()).isEqualTo(202);
		Files.deleteIfExists(blocker);
	}

	@Test
	void errorFileLinesAreGenericWithAReference() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Long pid = jdbc.queryForObject(
				"SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Patient' AND FHIR_ID = ?",
				Long.class,
				SampleData.patientId(0));
		List<Map<String, Object>> versions =
				jdbc.queryForList("SELECT PID, RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ?", pid);
		try {
			jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE RES_ID = ?",
					"{\"resourceType\":\"Patient\",\"meta\":{\"broken", pid);

			JsonNode manifest = client.export("Group/small/$export?_type=Patient");

			assertThat(manifest.get("error")).hasSize(1);
			List<String> lines = client.download(manifest.get("error").get(0).get("url").asText());
			assertThat(lines).hasSize(1);
			String diagnostics = BulkClient.JSON.readTree(lines.get(0)).get("issue").get(0).get("diagnostics").asText();
			assertThat(diagnostics).startsWith("A resource of type Patient could not be exported");
			String reference = assertGeneric(diagnostics);
			assertThat(logged(reference)).contains("Patient").contains(String.valueOf(pid)).contains("parse");
		} finally {
			for (Map<String, Object> version : versions) {
				jdbc.update("UPDATE HFJ_RES_VER SET RES_TEXT_VC = ? WHERE PID = ?",
						version.get("RES_TEXT_VC"), version.get("PID"));
			}
		}
	}

	/**
	 * Asserts the message (of an OperationOutcome, an admin API error or an error-file line) has a
	 * reference and nothing of the fault; returns the reference.
	 */
	private String assertGeneric(String body) throws Exception {
		String text = body;
		if (body.startsWith("{")) {
			JsonNode json = BulkClient.JSON.readTree(body);
			text = json.has("issue") ? json.get("issue").get(0).get("diagnostics").asText() : json.get("error").asText();
			assertThat(body).doesNotContain("java.").doesNotContain(DATA_DIR.toString());
		}
		assertThat(text)
				.doesNotContain(exportDirectory().toString())
				.doesNotContain(DATA_DIR.toString())
				.doesNotContainIgnoringCase("exception")
				.doesNotContain("java.")
				.doesNotContain("HAPI-")
				.doesNotContain("Is a directory")
				.doesNotContainIgnoringCase("parse")
				.doesNotContain("SELECT");
		Matcher matcher = REFERENCE.matcher(text);
		assertThat(matcher.find()).as("a reference in: " + text).isTrue();
		return matcher.group(1);
	}

	/** Everything logged under the reference: messages and stack traces. */
	private String logged(String reference) {
		StringBuilder text = new StringBuilder();
		for (ILoggingEvent event : List.copyOf(log.list)) {
			if (event.getFormattedMessage().contains(reference)) {
				text.append(event.getFormattedMessage()).append('\n');
				if (event.getThrowableProxy() != null) {
					text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
				}
			}
		}
		assertThat(text).as("the log has the reference " + reference).isNotEmpty();
		return text.toString();
	}

	private static Logger root() {
		return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
	}

	private static String param(String url, String name) {
		int start = url.indexOf(name + "=") + name.length() + 1;
		int end = url.indexOf('&', start);
		return java.net.URLDecoder.decode(
				end < 0 ? url.substring(start) : url.substring(start, end), java.nio.charset.StandardCharsets.UTF_8);
	}
}
