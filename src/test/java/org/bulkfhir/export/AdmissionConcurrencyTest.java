package org.bulkfhir.export;

import org.bulkfhir.reliability.FaultInjection;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-client limits hold when kick-offs race: admission is serialized per client through the
 * database, so exactly the limit is admitted however many kick-offs arrive at once. Completed
 * exports that have not expired are limited per client too.
 *
 * <p>The manifest step is held for 3 s (the test-only {@link FaultInjection}) so that the admitted exports
 * are still running while the burst is answered; the limits are the production defaults except
 * the finished-export limit, lowered to 2 to keep the test short.
 */
@SpringBootTest(
		classes = {BulkFhirServerApplication.class, FaultInjection.class},
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.export.max-running-per-client=4",
			"bulkfhir.export.max-finished-per-client=2",
			"bulkfhir-test.slow-manifest=PT3S",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
class AdmissionConcurrencyTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	private static final int BURST = 12;
	private static volatile boolean loaded;

	@LocalServerPort
	int port;

	TestApps apps;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
	}

	@BeforeEach
	void setUp() throws Exception {
		apps = new TestApps(base());
		if (!loaded) {
			BulkClient loader = newClient();
			loader.transaction(SampleData.sharedResources());
			for (int i = 0; i < 3; i++) {
				loader.transaction(SampleData.patient(i, 1));
			}
			loaded = true;
		}
	}

	@Test
	void parallelKickOffsOfOneClientAdmitExactlyTheRunningLimit() throws Exception {
		BulkClient client = newClient();
		client.request("metadata"); // fetches the token before the burst

		List<HttpResponse<String>> answers = burst(client, BURST);

		List<HttpResponse<String>> accepted = answers.stream().filter(r -> r.statusCode() == 202).toList();
		List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
		assertThat(accepted).as(statuses(answers)).hasSize(4);
		assertThat(refused).as(statuses(answers)).hasSize(BURST - 4);
		for (HttpResponse<String> answer : refused) {
			assertThat(answer.headers().firstValue("Retry-After")).isPresent();
			assertThat(answer.body()).contains("OperationOutcome").contains("exports running");
		}

		// The limit is per client: another client is admitted meanwhile.
		BulkClient other = newClient();
		String otherStatus = other.start("Patient/$export?_type=Patient");

		for (HttpResponse<String> answer : accepted) {
			String status = answer.headers().firstValue("Content-Location").orElseThrow();
			assertThat(client.poll(status, Duration.ofSeconds(60)).statusCode()).isEqualTo(200);
		}
		assertThat(other.poll(otherStatus, Duration.ofSeconds(60)).statusCode()).isEqualTo(200);
	}

	@Test
	void unexpiredCompletedExportsAreLimitedPerClient() throws Exception {
		BulkClient client = newClient();
		List<String> done = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			String status = client.start("Patient/$export?_type=Patient");
			assertThat(client.poll(status, Duration.ofSeconds(60)).statusCode()).isEqualTo(200);
			done.add(status);
		}

		HttpResponse<String> third = client.kickOff("Patient/$export?_type=Patient");
		assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
		assertThat(third.headers().firstValue("Retry-After")).isPresent();
		assertThat(third.body()).contains("OperationOutcome").contains("DELETE");

		assertThat(client.send(client.request(done.get(0)).DELETE().build()).statusCode()).isEqualTo(202);
		String fourth = client.start("Patient/$export?_type=Patient");
		assertThat(client.poll(fourth, Duration.ofSeconds(60)).statusCode()).isEqualTo(200);
	}

	private static List<HttpResponse<String>> burst(BulkClient client, int count) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(count);
		CountDownLatch gate = new CountDownLatch(1);
		List<Future<HttpResponse<String>>> futures = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			futures.add(pool.submit(() -> {
				gate.await();
				return client.kickOff("Patient/$export?_type=Patient");
			}));
		}
		gate.countDown();
		List<HttpResponse<String>> answers = new ArrayList<>();
		for (Future<HttpResponse<String>> future : futures) {
			answers.add(future.get());
		}
		pool.shutdown();
		return answers;
	}

	private static String statuses(List<HttpResponse<String>> answers) {
		return answers.stream().map(r -> r.statusCode() + (r.statusCode() >= 500 ? " " + r.body() : "")).toList()
				.toString();
	}

	private BulkClient newClient() throws Exception {
		return new BulkClient(base()).withToken(apps.readWriteTokens());
	}

	private String base() {
		return "http://localhost:" + port + "/fhir";
	}
}
