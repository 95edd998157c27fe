package org.bulkfhir.reliability;

import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.WarProcess;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow work on a live node, with production defaults: one work chunk and the manifest step each
 * take 25 s, two and a half times the node timeout. Neither may be taken for abandoned: the chunk
 * runs once, the manifest step runs once, the job completes exactly.
 */
class SlowWorkIT {

	private static final int PATIENTS = 100;
	private static final Duration SLOW = Duration.ofSeconds(25);

	@Test
	void slowChunkAndLongManifestStepOnALiveNodeRunOnce() throws Exception {
		Path dataDir = Path.of("target", "test-data", "slow-" + UUID.randomUUID()).toAbsolutePath();
		List<String> args = List.of(
				"--bulkfhir.sample-data.patients=" + PATIENTS,
				"--bulkfhir.sample-data.encounters=0",
				"--bulkfhir.auth.enabled=false",
				"--bulkfhir.export.patients-per-chunk=10",
				"--bulkfhir-test.slow-chunk=" + SLOW,
				"--bulkfhir-test.slow-chunk-sequence=3",
				"--bulkfhir-test.slow-manifest=" + SLOW);
		try (WarProcess server = new WarProcess(dataDir, args).withTestHooks().start()) {
			BulkClient client = new BulkClient(server.base());
			awaitGroup(client);
			long start = System.currentTimeMillis();
			String statusUrl = client.start("Group/all/$export");
			HttpResponse<String> done = client.poll(statusUrl, Duration.ofMinutes(4));
			long took = System.currentTimeMillis() - start;
			assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
			Map<String, List<IBaseResource>> exported = client.downloadAll(BulkClient.JSON.readTree(done.body()));
			assertThat(BulkClient.counts(exported)).containsEntry("Patient", PATIENTS)
					.containsEntry("Immunization", 2 * PATIENTS);
			exported.values().forEach(list -> assertThat(BulkClient.ids(list)).doesNotHaveDuplicates());

			String jobId = statusUrl.substring(statusUrl.indexOf("_jobId=") + 7);
			String log = Files.readString(dataDir.resolve("server.log"));
			System.out.printf("Slow work: export %s with a %s chunk and a %s manifest step took %d ms%n", jobId, SLOW,
					SLOW, took);
			assertThat(took).as("both slow pieces really ran slowly").isGreaterThanOrEqualTo(2 * SLOW.toMillis());
			assertThat(count(log, "FAULT-INJECTION slow chunk 3 of export job " + jobId + " starts"))
					.as("the slow chunk ran once").isEqualTo(1);
			assertThat(count(log, "Export job " + jobId + " chunk 3 written by node")).isEqualTo(1);
			assertThat(count(log, "FAULT-INJECTION slow manifest step of export job " + jobId + " starts"))
					.as("the long manifest step ran once").isEqualTo(1);
			assertThat(log).doesNotContain("is dead: gave back").doesNotContain("claimed by no node");
		}
	}

	private static int count(String text, String needle) {
		int count = 0;
		for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
			count++;
		}
		return count;
	}

	private static void awaitGroup(BulkClient client) throws Exception {
		long deadline = System.currentTimeMillis() + 240_000;
		while (System.currentTimeMillis() < deadline) {
			if (client.send(client.request("Group/all").GET().build()).statusCode() == 200) {
				return;
			}
			Thread.sleep(1000);
		}
		throw new IllegalStateException("sample data was not loaded in time");
	}
}
