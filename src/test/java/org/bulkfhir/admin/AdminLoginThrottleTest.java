package org.bulkfhir.admin;

import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed admin logins are throttled per source address: after 10 failures within the window every
 * admin request from that address gets 429 with Retry-After, the right password included, until
 * the window has passed. The server runs the {@code demo} profile, whose short demo password is the
 * one exception to the minimum password length; the window is shortened to 5 s so that the test
 * can wait for its end.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {"bulkfhir.sample-data.patients=0", "bulkfhir.admin.failed-login-window=PT5S"})
@ActiveProfiles("demo")
class AdminLoginThrottleTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	private static final String RIGHT = TestApps.basic("admin", AdminAccess.DEMO_PASSWORD);
	private static final String WRONG = TestApps.basic("admin", "guess");

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
	}

	@Test
	void tenFailedLoginsLockTheSourceAddressForTheWindow() throws Exception {
		assertThat(jobs(RIGHT).statusCode()).as("the demo password works in the demo profile").isEqualTo(200);
		for (int i = 0; i < 10; i++) {
			assertThat(jobs(WRONG).statusCode()).isEqualTo(401);
		}

		HttpResponse<String> locked = jobs(WRONG);
		assertThat(locked.statusCode()).isEqualTo(429);
		int retryAfter = Integer.parseInt(locked.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(1, 5);
		assertThat(locked.body()).contains("\"error\"").contains("failed");
		assertThat(locked.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

		assertThat(jobs(RIGHT).statusCode()).as("the right password is refused while locked").isEqualTo(429);
		assertThat(send("/admin/", RIGHT).statusCode()).isEqualTo(429);
		assertThat(send("/fhir/metadata", null).statusCode()).as("FHIR endpoints are not affected").isEqualTo(200);

		Thread.sleep(retryAfter * 1000L + 500);
		assertThat(jobs(RIGHT).statusCode()).as("the lock ends with the window").isEqualTo(200);
	}

	private HttpResponse<String> jobs(String authorization) throws Exception {
		return send("/admin/api/jobs", authorization);
	}

	private HttpResponse<String> send(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
	}
}
