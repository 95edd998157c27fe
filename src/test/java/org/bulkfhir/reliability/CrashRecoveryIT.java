package org.bulkfhir.reliability;

import com.fasterxml.jackson.databind.JsonNode;
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
 * kill -9 of the packaged server, three times: right after a 202 (the job must exist after
 * restart), in the middle of an export of a few thousand patients (it must resume and complete
 * with exactly the expected resources, none twice, and no half-written file served), and inside
 * the final manifest step (it must be run again and complete).
 */
class CrashRecoveryIT {

	private static final int PATIENTS = 2000;

	@Test
	void exportSurvivesKillMinus9AndCompletesExactly() throws Exception {
		Path dataDir = Path.of("target", "test-data", "crash-" + UUID.randomUUID()).toAbsolutePath();
		List<String> args = List.of(
				"--bulkfhir.sample-data.patients=" + PATIENTS,
				"--bulkfhir.sample-data.encounters=0",
				"--bulkfhir.auth.enabled=false",
				"--bulkfhir.export.patients-per-chunk=10",
				"--bulkfhir.export.stale-work-timeout=PT3S");
		String statusUrl;
		String promisedUrl;
		try (WarProcess server = new WarProcess(dataDir, args).start()) {
			BulkClient client = new BulkClient(server.base());
			awaitSampleData(client);
			promisedUrl = client.start("Group/small/$export");
			server.kill(); // a moment after the 202
		}
		try (WarProcess server = new WarProcess(dataDir, args).start()) {
			BulkClient client = new BulkClient(server.base());
			statusUrl = client.start("Group/all/$export");
			awaitProgress(client, statusUrl);
			server.kill(); // in the middle of the export
		}

		String finalizingUrl;
		// A manifest step that takes 20 s; live work is only given back after 60 s on this server.
		List<String> slowManifest = new java.util.ArrayList<>(args);
		slowManifest.remove("--bulkfhir.export.stale-work-timeout=PT3S");
		slowManifest.add("--bulkfhir.export.stale-work-timeout=PT60S");
		slowManifest.add("--bulkfhir.export.manifest-step-delay=PT20S");
		try (WarProcess server = new WarProcess(dataDir, slowManifest).start()) {
			BulkClient client = new BulkClient(server.base());
			finalizingUrl = client.start("Group/small/$export?_type=Patient,Practitioner");
			awaitState(client, finalizingUrl, "FINALIZE");
			server.kill(); // inside the manifest step
		}

		try (WarProcess server = new WarProcess(dataDir, args).start()) {
			BulkClient client = new BulkClient(server.base());
			HttpResponse<String> finalized = client.poll(rebase(finalizingUrl, server), Duration.ofSeconds(90));
			assertThat(finalized.statusCode()).as("a job killed in its manifest step completes").isEqualTo(200);
			Map<String, List<IBaseResource>> small = client.downloadAll(BulkClient.JSON.readTree(finalized.body()));
			assertThat(small.get("Patient")).hasSize(10);
			assertThat(small.get("Practitioner")).isNotEmpty();
			small.values().forEach(list -> assertThat(BulkClient.ids(list)).doesNotHaveDuplicates());

			HttpResponse<String> promised = client.poll(rebase(promisedUrl, server), Duration.ofSeconds(90));
			assertThat(promised.statusCode()).as("the job behind a 202 survives kill -9").isEqualTo(200);

			HttpResponse<String> done = client.poll(rebase(statusUrl, server), Duration.ofSeconds(90));
			assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
			JsonNode manifest = BulkClient.JSON.readTree(done.body());
			Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
			assertThat(BulkClient.counts(exported)).containsEntry("Patient", PATIENTS)
					.containsEntry("Immunization", 2 * PATIENTS)
					.containsEntry("AllergyIntolerance", PATIENTS);
			exported.values().forEach(list -> assertThat(BulkClient.ids(list)).doesNotHaveDuplicates());
			// The killed JVM leaves its unfinished files under *.partial names: never listed, never served.
			for (JsonNode file : manifest.get("output")) {
				assertThat(file.get("url").asText()).doesNotContain(".partial");
			}
			String partial = firstPartialFile(dataDir);
			if (partial != null) {
				String jobDir = dataDir.resolve("exports").relativize(Path.of(partial).getParent()).toString();
				HttpResponse<String> refused = client.send(client.request(
						"$export-file?_jobId=" + jobDir + "&file=" + Path.of(partial).getFileName()).GET().build());
				assertThat(refused.statusCode()).as("a half-written file is not served").isEqualTo(404);
			}
		}
	}

	private static void awaitState(BulkClient client, String statusUrl, String state) throws Exception {
		long deadline = System.currentTimeMillis() + 60_000;
		while (System.currentTimeMillis() < deadline) {
			HttpResponse<String> status = client.send(client.request(statusUrl).GET().build());
			assertThat(status.statusCode()).as("still running").isEqualTo(202);
			if (status.headers().firstValue("X-Progress").orElse("").contains(state)) {
				return;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("export never reached " + state);
	}

	private static String firstPartialFile(Path dataDir) throws Exception {
		try (var files = Files.walk(dataDir.resolve("exports"))) {
			return files.filter(p -> p.toString().endsWith(".partial")).map(Path::toString).findFirst().orElse(null);
		}
	}

	private static void awaitSampleData(BulkClient client) throws Exception {
		long deadline = System.currentTimeMillis() + 240_000;
		while (System.currentTimeMillis() < deadline) {
			HttpResponse<String> group = client.send(client.request("Group/all").GET().build());
			if (group.statusCode() == 200) {
				return;
			}
			Thread.sleep(1000);
		}
		throw new IllegalStateException("sample data was not loaded in time");
	}

	/** Waits until the export has done some but not all of its work. */
	private static void awaitProgress(BulkClient client, String statusUrl) throws Exception {
		long deadline = System.currentTimeMillis() + 60_000;
		while (System.currentTimeMillis() < deadline) {
			HttpResponse<String> status = client.send(client.request(statusUrl).GET().build());
			assertThat(status.statusCode()).as("export finished before it could be interrupted").isEqualTo(202);
			String progress = status.headers().firstValue("X-Progress").orElse("0%");
			if (!progress.startsWith("0%")) {
				return;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("export made no progress");
	}

	private static String rebase(String url, WarProcess server) {
		return server.base() + url.substring(url.indexOf("/fhir") + "/fhir".length());
	}
}
