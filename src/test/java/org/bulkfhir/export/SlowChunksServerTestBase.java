package org.bulkfhir.export;

import org.bulkfhir.reliability.FaultInjection;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.util.UUID;

/**
 * One server, shared by the test classes that extend this, whose exports are still running when a test
 * polls or changes data: every work chunk's write step and the manifest step sleep 2 s (the test-only
 * {@link FaultInjection}); two patients per chunk, two resources per file, five files per manifest page. Each test class brings its own data (ids of its own).
 */
@SpringBootTest(
		classes = {BulkFhirServerApplication.class, FaultInjection.class},
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.export.patients-per-chunk=2",
			"bulkfhir.export.max-resources-per-file=2",
			"bulkfhir.export.max-running-per-client=50",
			"bulkfhir.export.max-finished-per-client=0",
			"bulkfhir.export.manifest-page-size=5",
			"bulkfhir-test.slow-chunks=PT2S",
			"bulkfhir-test.slow-manifest=PT2S",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
abstract class SlowChunksServerTestBase {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	@LocalServerPort
	int port;

	BulkClient client;
	TestApps apps;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
	}

	@BeforeEach
	void setUpClient() throws Exception {
		apps = new TestApps(base());
		client = new BulkClient(base()).withToken(apps.readWriteTokens());
	}

	String base() {
		return "http://localhost:" + port + "/fhir";
	}
}
