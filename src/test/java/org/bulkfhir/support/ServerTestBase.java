package org.bulkfhir.support;

import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.util.UUID;

/**
 * The real WAR application on a free port chosen up front (so that {@code bulkfhir.public-base-url},
 * the token URL client assertions name, is known), on an H2 file database and an export directory of
 * its own. Every test class that extends this shares one running server (Spring caches the
 * context), and the sample population is loaded into it once, over HTTP.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.export.max-resources-per-file=25",
			"bulkfhir.export.patients-per-chunk=4",
			"bulkfhir.export.resources-per-chunk=400",
			"bulkfhir.export.max-running-per-client=50",
			// The shared System app keeps far more completed exports than a real client should.
			"bulkfhir.export.max-finished-per-client=0",
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			// JwksServer publishes test apps' keys over http on loopback.
			"bulkfhir.auth.allow-loopback-jwks-uri=true",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
// Spring Boot tests switch metrics export (and so /actuator/prometheus) off unless asked: the WAR has it on.
@AutoConfigureObservability(tracing = false)
public abstract class ServerTestBase {

	public static final int PATIENTS = 30;
	public static final int ENCOUNTERS = 2;
	public static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	private static volatile boolean loaded;
	private static java.util.function.Supplier<String> systemTokens;

	@LocalServerPort
	protected int port;

	protected BulkClient client;
	protected TestApps apps;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestDatabase.register(registry, DATA_DIR);
		TestPort.register(registry);
		TestApps.declareConfiguredClient(registry);
	}

	@BeforeEach
	void setUpClient() throws Exception {
		apps = new TestApps(base());
		client = new BulkClient(base()).withToken(systemTokens(apps));
		loadSampleDataOnce(client);
	}

	/** Tokens of one System app that reads and writes everything, shared by the tests of this server. */
	private static synchronized java.util.function.Supplier<String> systemTokens(TestApps apps) throws Exception {
		if (systemTokens == null) {
			systemTokens = apps.readWriteTokens();
		}
		return systemTokens;
	}

	protected String base() {
		return "http://localhost:" + port + "/fhir";
	}

	protected Path exportDirectory() {
		return DATA_DIR.resolve("exports");
	}

	private static synchronized void loadSampleDataOnce(BulkClient client) throws Exception {
		if (loaded) {
			return;
		}
		client.transaction(SampleData.sharedResources());
		for (int i = 0; i < PATIENTS; i++) {
			client.transaction(SampleData.patient(i, ENCOUNTERS));
		}
		client.put(SampleData.group("all", "All", 0, PATIENTS, null));
		// Members 0..9 active, member 10 inactive.
		client.put(SampleData.group("small", "Small", 0, 10, 10));
		loaded = true;
	}
}
