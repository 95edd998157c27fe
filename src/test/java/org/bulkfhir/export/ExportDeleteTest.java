package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** DELETE on the status URL cancels a running export or removes a finished one, files included. */
class ExportDeleteTest extends ServerTestBase {

	@Test
	void deleteAfterCompletionRemovesJobAndFiles() throws Exception {
		String status = client.start("Group/small/$export");
		JsonNode manifest = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
				.readTree(client.poll(status, Duration.ofSeconds(30)).body());
		String fileUrl = manifest.get("output").get(0).get("url").asText();
		Path jobDir = exportDirectory().resolve(jobId(status));
		assertThat(jobDir).isDirectory();

		HttpResponse<String> delete = client.send(client.request(status).DELETE().build());
		assertThat(delete.statusCode()).isEqualTo(202);

		assertThat(Files.exists(jobDir)).isFalse();
		HttpResponse<String> after = client.send(client.request(status).GET().build());
		assertThat(after.statusCode()).isEqualTo(404);
		assertThat(after.body()).contains("OperationOutcome");
		assertThat(client.send(client.request(fileUrl).GET().build()).statusCode()).isEqualTo(404);
	}

	@Test
	void deleteWhileRunningStopsTheJobAndItsFilesGo() throws Exception {
		String status = client.start("$export");
		HttpResponse<String> running = client.send(client.request(status).GET().build());
		assertThat(running.statusCode()).isEqualTo(202);

		HttpResponse<String> delete = client.send(client.request(status).DELETE().build());
		assertThat(delete.statusCode()).isEqualTo(202);
		assertThat(client.send(client.request(status).GET().build()).statusCode()).isEqualTo(404);

		Path jobDir = exportDirectory().resolve(jobId(status));
		long deadline = System.currentTimeMillis() + 20_000;
		while (Files.exists(jobDir) && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
		}
		assertThat(Files.exists(jobDir)).as("files of the cancelled job are deleted").isFalse();
		Thread.sleep(1500);
		assertThat(Files.exists(jobDir)).as("and stay deleted").isFalse();
	}

	static String jobId(String statusUrl) {
		return statusUrl.substring(statusUrl.indexOf("_jobId=") + "_jobId=".length());
	}
}
