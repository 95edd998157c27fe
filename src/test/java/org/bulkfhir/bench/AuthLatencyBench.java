package org.bulkfhir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What authorization costs a caller, measured against a running server (see {@code scripts/bench-auth}):
 * <ul>
 *   <li>{@code reads BASE N}: N authorized reads by id ({@code Patient}, {@code Observation} in turn)
 *       with the token of a newly registered System app, after a warm-up; prints p50 and p99 in
 *       milliseconds;</li>
 *   <li>{@code tokens BASE N}: N token requests, each with a newly signed client assertion.</li>
 * </ul>
 */
public final class AuthLatencyBench {

	private static final int WARM_UP = 200;
	private static final String SCOPE = "system/*.read";

	private AuthLatencyBench() {}

	public static void main(String[] args) throws Exception {
		String base = args[1];
		int count = Integer.parseInt(args[2]);
		TestApps apps = new TestApps(base);
		TestApps.App app = apps.register("system", SCOPE);
		switch (args[0]) {
			case "reads" -> reads(base, apps.token(app, SCOPE), count);
			case "tokens" -> tokens(apps, app, count);
			default -> throw new IllegalArgumentException("reads or tokens, not " + args[0]);
		}
	}

	private static void reads(String base, String token, int count) throws Exception {
		BulkClient client = new BulkClient(base).withToken(() -> token);
		long deadline = System.currentTimeMillis() + 600_000;
		while (client.send(client.request("Group/all").GET().build()).statusCode() != 200) {
			if (System.currentTimeMillis() > deadline) {
				throw new IllegalStateException("the sample data did not load in 10 minutes");
			}
			Thread.sleep(1000);
		}
		List<String> targets = new ArrayList<>();
		for (String type : List.of("Patient", "Observation")) {
			for (JsonNode entry : BulkClient.JSON.readTree(client.read(type + "?_count=50&_elements=id")).get("entry")) {
				targets.add(type + "/" + entry.get("resource").get("id").asText());
			}
		}
		for (int i = 0; i < WARM_UP; i++) {
			read(client, targets.get(i % targets.size()));
		}
		long[] nanos = new long[count];
		for (int i = 0; i < count; i++) {
			long start = System.nanoTime();
			read(client, targets.get(i % targets.size()));
			nanos[i] = System.nanoTime() - start;
		}
		print("reads", nanos);
	}

	private static void read(BulkClient client, String target) throws Exception {
		HttpResponse<String> response = client.send(client.request(target).GET().build());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(target + ": " + response.statusCode() + " " + response.body());
		}
	}

	private static void tokens(TestApps apps, TestApps.App app, int count) throws Exception {
		for (int i = 0; i < WARM_UP / 10; i++) {
			apps.token(app, SCOPE);
		}
		long[] nanos = new long[count];
		for (int i = 0; i < count; i++) {
			String assertion = apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
			long start = System.nanoTime();
			HttpResponse<String> response = apps.tokenRequest(apps.form(assertion, SCOPE));
			nanos[i] = System.nanoTime() - start;
			if (response.statusCode() != 200) {
				throw new IllegalStateException("token request: " + response.statusCode() + " " + response.body());
			}
		}
		print("tokens", nanos);
	}

	private static void print(String what, long[] nanos) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		System.out.printf("%s=%d p50=%.2fms p99=%.2fms max=%.2fms%n", what, sorted.length,
				percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1] / 1e6);
	}

	private static double percentile(long[] sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, index)] / 1e6;
	}
}
