package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage directory is pointed at a directory that holds other data: the purge and DELETE
 * remove only directories the plugin created (they carry its marker file), never other data, and
 * never follow a symbolic link out of the store. A real orphaned export directory is still removed.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.export.purge-interval=PT1S",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
class PurgeSafetyTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	/** A directory with other data in it, used as the export store. */
	private static final Path SHARED = DATA_DIR.resolve("shared");
	private static final Path OUTSIDE = DATA_DIR.resolve("outside");
	private static final String FOREIGN_JOB_LIKE = UUID.randomUUID().toString();
	private static final String LINK_JOB_LIKE = UUID.randomUUID().toString();

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	@DynamicPropertySource
	static void directories(DynamicPropertyRegistry registry) throws IOException {
		org.bulkfhir.support.TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
		Files.createDirectories(SHARED.resolve(FOREIGN_JOB_LIKE));
		Files.writeString(SHARED.resolve(FOREIGN_JOB_LIKE).resolve("precious.txt"), "not an export");
		Files.createDirectories(SHARED.resolve("reports"));
		Files.writeString(SHARED.resolve("reports").resolve("q3.csv"), "a,b\n1,2\n");
		Files.writeString(SHARED.resolve("notes.txt"), "top-level file");
		Files.createDirectories(OUTSIDE);
		Files.writeString(OUTSIDE.resolve("outside.txt"), "outside the store");
		Files.createSymbolicLink(SHARED.resolve(LINK_JOB_LIKE), OUTSIDE);
		registry.add("bulkfhir.storage.directory", SHARED::toString);
	}

	@Test
	void purgeRemovesOrphanedExportsButNeverOtherData() throws Exception {
		BulkClient client = client();
		JsonNode manifest = client.export("Patient/$export?_type=Patient");
		assertThat(manifest.get("output")).isNotEmpty();
		String orphan = jobIdOf(manifest);
		assertThat(SHARED.resolve(orphan)).isDirectory();

		// A crash (or a late chunk) leaves the files of a job that the database no longer knows.
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.update("DELETE FROM BT2_WORK_CHUNK WHERE INSTANCE_ID = ?", orphan);
		jdbc.update("DELETE FROM BT2_JOB_INSTANCE WHERE ID = ?", orphan);

		awaitGone(SHARED.resolve(orphan));
		Thread.sleep(3000); // a few more purge passes
		assertForeignDataIntact();
	}

	@Test
	void deleteOfAJobRemovesOnlyADirectoryThePluginMarked() throws Exception {
		BulkClient client = client();
		String status = client.start("Patient/$export?_type=Patient");
		JsonNode manifest = BulkClient.JSON.readTree(client.poll(status, Duration.ofSeconds(60)).body());
		String jobId = jobIdOf(manifest);
		Path jobDirectory = SHARED.resolve(jobId);
		try (var files = Files.list(jobDirectory)) {
			Path marker = files.filter(p -> p.getFileName().toString().startsWith(".")).findFirst().orElseThrow(
					() -> new AssertionError("the plugin marks the directories it creates"));
			Files.delete(marker); // now it looks like someone else's directory
		}

		assertThat(client.send(client.request(status).DELETE().build()).statusCode()).isEqualTo(202);
		assertThat(client.send(client.request(status).GET().build()).statusCode()).isEqualTo(404);
		Thread.sleep(3000); // a few purge passes
		assertThat(jobDirectory).as("an unmarked directory is left alone").isDirectory();
		assertForeignDataIntact();
	}

	private static void assertForeignDataIntact() throws IOException {
		assertThat(SHARED.resolve(FOREIGN_JOB_LIKE).resolve("precious.txt")).hasContent("not an export");
		assertThat(SHARED.resolve("reports").resolve("q3.csv")).exists();
		assertThat(SHARED.resolve("notes.txt")).hasContent("top-level file");
		assertThat(Files.isSymbolicLink(SHARED.resolve(LINK_JOB_LIKE))).isTrue();
		assertThat(OUTSIDE.resolve("outside.txt")).hasContent("outside the store");
	}

	private static void awaitGone(Path directory) throws InterruptedException {
		long deadline = System.currentTimeMillis() + 30_000;
		while (Files.exists(directory) && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
		}
		assertThat(Files.exists(directory)).as("the orphaned export directory is purged").isFalse();
	}

	private static String jobIdOf(JsonNode manifest) {
		String url = manifest.get("output").get(0).get("url").asText();
		int start = url.indexOf("_jobId=") + "_jobId=".length();
		return url.substring(start, url.indexOf('&', start));
	}

	private BulkClient client() throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		TestApps apps = new TestApps(base);
		BulkClient client = new BulkClient(base).withToken(apps.readWriteTokens());
		loadOnce(client);
		return client;
	}

	private static volatile boolean loaded;

	private static synchronized void loadOnce(BulkClient client) {
		if (loaded) {
			return;
		}
		try {
			client.transaction(SampleData.sharedResources());
			client.transaction(SampleData.patient(0, 1));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			throw new IllegalStateException(e);
		}
		loaded = true;
	}
}
