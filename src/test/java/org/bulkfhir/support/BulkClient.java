package org.bulkfhir.support;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A small Bulk Data client over java.net.http, as an analytics system would use the server. */
public class BulkClient {

	public static final FhirContext FHIR = FhirContext.forR4Cached();
	public static final ObjectMapper JSON = new ObjectMapper();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
	private final String base;
	private Supplier<String> token = () -> null;

	public BulkClient(String base) {
		this.base = base;
	}

	public String base() {
		return base;
	}

	/** Sends {@code Authorization: Bearer <token>} on every request from now on. */
	public BulkClient withToken(Supplier<String> tokenSupplier) {
		this.token = tokenSupplier;
		return this;
	}

	public HttpRequest.Builder request(String urlOrPath) {
		String url = urlOrPath.startsWith("http") ? urlOrPath : base + "/" + urlOrPath;
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
		String bearer = token.get();
		if (bearer != null) {
			builder.header("Authorization", "Bearer " + bearer);
		}
		return builder;
	}

	public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	public HttpResponse<byte[]> sendBytes(HttpRequest request) throws IOException, InterruptedException {
		return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
	}

	public void transaction(Bundle bundle) throws IOException, InterruptedException {
		HttpResponse<String> response = send(request(base)
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(FHIR.newJsonParser().encodeResourceToString(bundle)))
				.build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	public void put(Resource resource) throws IOException, InterruptedException {
		HttpResponse<String> response = send(request(resource.fhirType() + "/" + resource.getIdElement().getIdPart())
				.header("Content-Type", "application/fhir+json")
				.PUT(HttpRequest.BodyPublishers.ofString(FHIR.newJsonParser().encodeResourceToString(resource)))
				.build());
		assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
	}

	public String read(String typeAndId) throws IOException, InterruptedException {
		HttpResponse<String> response = send(request(typeAndId).GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.body();
	}

	/** GET kick-off with {@code Prefer: respond-async}; returns the raw response. */
	public HttpResponse<String> kickOff(String pathAndQuery) throws IOException, InterruptedException {
		return send(request(pathAndQuery)
				.header("Prefer", "respond-async")
				.header("Accept", "application/fhir+json")
				.GET()
				.build());
	}

	/** POST kick-off of a FHIR {@code Parameters} body (JSON) with {@code Prefer: respond-async}; the raw response. */
	public HttpResponse<String> kickOffPost(String path, String parametersJson) throws IOException, InterruptedException {
		return send(request(path)
				.header("Prefer", "respond-async")
				.header("Accept", "application/fhir+json")
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(parametersJson))
				.build());
	}

	/** Runs a POST kick-off to completion and returns its manifest. */
	public JsonNode exportPost(String path, String parametersJson) throws IOException, InterruptedException {
		HttpResponse<String> response = kickOffPost(path, parametersJson);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		HttpResponse<String> done =
				poll(response.headers().firstValue("Content-Location").orElseThrow(), Duration.ofSeconds(60));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		return JSON.readTree(done.body());
	}

	/** Kick-off that must be accepted; returns the status URL. */
	public String start(String pathAndQuery) throws IOException, InterruptedException {
		HttpResponse<String> response = kickOff(pathAndQuery);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		return response.headers().firstValue("Content-Location").orElseThrow();
	}

	/** Polls the status URL until it is no longer 202; returns the final response. */
	public HttpResponse<String> poll(String statusUrl, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			HttpResponse<String> response = send(request(statusUrl).GET().build());
			if (response.statusCode() != 202 || System.nanoTime() > deadline) {
				return response;
			}
			assertThat(response.headers().firstValue("X-Progress")).isPresent();
			int retryAfter = Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow());
			assertThat(retryAfter).isBetween(1, 2);
			Thread.sleep(50);
		}
	}

	/** Runs an export to completion and returns its manifest. */
	public JsonNode export(String pathAndQuery) throws IOException, InterruptedException {
		HttpResponse<String> done = poll(start(pathAndQuery), Duration.ofSeconds(60));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		assertThat(done.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		return JSON.readTree(done.body());
	}

	/** Downloads one file as lines, checking it is non-empty NDJSON. */
	public List<String> download(String url) throws IOException, InterruptedException {
		HttpResponse<String> response = send(request(url).GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+ndjson");
		List<String> lines = Arrays.stream(response.body().split("\n")).filter(l -> !l.isEmpty()).toList();
		assertThat(lines).isNotEmpty();
		return lines;
	}

	public List<String> downloadGzip(String url) throws IOException, InterruptedException {
		HttpResponse<byte[]> response =
				sendBytes(request(url).header("Accept-Encoding", "gzip").GET().build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
		String text = new String(
				new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes(), StandardCharsets.UTF_8);
		return Arrays.stream(text.split("\n")).filter(l -> !l.isEmpty()).toList();
	}

	/** Every exported resource of the manifest, parsed, grouped by type (checks each line's type). */
	public Map<String, List<IBaseResource>> downloadAll(JsonNode manifest) throws IOException, InterruptedException {
		Map<String, List<IBaseResource>> byType = new LinkedHashMap<>();
		for (JsonNode output : manifest.get("output")) {
			String type = output.get("type").asText();
			List<String> lines = download(output.get("url").asText());
			assertThat(lines).hasSize(output.get("count").asInt());
			for (String line : lines) {
				IBaseResource resource = FHIR.newJsonParser().parseResource(line);
				assertThat(resource.fhirType()).isEqualTo(type);
				byType.computeIfAbsent(type, t -> new ArrayList<>()).add(resource);
			}
		}
		return byType;
	}

	public static Map<String, Integer> counts(Map<String, List<IBaseResource>> byType) {
		Map<String, Integer> counts = new java.util.TreeMap<>();
		byType.forEach((type, list) -> counts.put(type, list.size()));
		return counts;
	}

	public static List<String> ids(List<IBaseResource> resources) {
		return resources.stream().map(r -> r.getIdElement().getIdPart()).sorted().toList();
	}
}
