package org.bulkfhir.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad requests of every kind get a clear 4xx OperationOutcome, never a 5xx or a stack trace, and
 * the server stays healthy and its data intact.
 */
class HostileInputTest extends ServerTestBase {

	/** One hostile request: method, path and query, optional body and content type, extra headers. */
	record Hostile(String name, String method, String path, String contentType, String body, String... headers) {}

	private static final String LONG = "A".repeat(5000);
	private static final String PARAMS = "{\"resourceType\":\"Parameters\",\"parameter\":[%s]}";

	@Test
	void everyHostileRequestGetsAClear4xxOperationOutcome() throws Exception {
		List<Hostile> cases = new ArrayList<>(List.of(
				get("outputFormat xml", "Group/small/$export?_outputFormat=application/fhir%2Bxml"),
				get("outputFormat csv", "Group/small/$export?_outputFormat=text/csv"),
				get("outputFormat header injection", "Group/small/$export?_outputFormat=ndjson%0d%0aX-Injected:%201"),
				get("outputFormat twice", "Group/small/$export?_outputFormat=ndjson&_outputFormat=ndjson"),
				get("huge outputFormat", "Group/small/$export?_outputFormat=" + LONG),
				get("unknown type", "Group/small/$export?_type=Nonsense"),
				get("lower-case type", "Group/small/$export?_type=patient"),
				get("type with semicolon", "Group/small/$export?_type=Patient;Observation"),
				get("type with NUL", "Group/small/$export?_type=Patient%00"),
				get("huge type list", "Group/small/$export?_type=" + "Patient,".repeat(500) + LONG),
				get("empty type list", "Group/small/$export?_type=,,,"),
				get("type SQL injection", "Group/small/$export?_type=" + enc("Patient' OR '1'='1")),
				get("Binary at system level", "$export?_type=Binary"),
				get("non-compartment type at group level", "Group/small/$export?_type=Questionnaire"),
				get("since words", "Patient/$export?_since=yesterday"),
				get("since date only", "Patient/$export?_since=2024-01-01"),
				get("since impossible date", "Patient/$export?_since=2024-02-30T00:00:00Z"),
				get("since SQL injection", "Patient/$export?_since=" + enc("2024-01-01T00:00:00Z' OR 1=1 --")),
				get("since huge", "Patient/$export?_since=" + LONG),
				get("until bad month", "Patient/$export?_until=2024-13-01T00:00:00Z"),
				get("since after until", "Patient/$export?_since=2025-01-01T00:00:00Z&_until=2024-01-01T00:00:00Z"),
				get("typeFilter without query", "Group/small/$export?_typeFilter=Observation"),
				get("typeFilter empty query", "Group/small/$export?_typeFilter=Observation%3F"),
				get("typeFilter unknown type", "Group/small/$export?_typeFilter=Bogus%3Fx%3D1"),
				get("typeFilter type not exported", "Group/small/$export?_type=Patient&_typeFilter=Observation%3Fcode%3D1"),
				get("typeFilter unknown parameter", "Group/small/$export?_typeFilter=Observation%3Fnosuch%3D1"),
				get("typeFilter SQL injection in name",
						"Group/small/$export?_typeFilter=" + enc("Observation?code' OR '1'='1=1")),
				get("typeFilter DROP TABLE",
						"Group/small/$export?_typeFilter=" + enc("Observation?x;DROP TABLE HFJ_RESOURCE;--=1")),
				get("typeFilter bad date", "Group/small/$export?_typeFilter=" + enc("Observation?date=notadate")),
				get("typeFilter huge", "Group/small/$export?_typeFilter=" + enc("Observation?" + LONG + "=1")),
				get("unsupported parameter", "Group/small/$export?_nonsense=1"),
				get("elements SQL injection", "Group/small/$export?_elements=" + enc("Patient.name' OR '1'='1")),
				get("elements deep path", "Group/small/$export?_elements=" + enc("Patient.name.given")),
				get("elements huge", "Group/small/$export?_elements=" + LONG),
				post("POST patient as a string", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"patient\",\"valueString\":\"Patient/pt00001\"}")),
				post("POST patient SQL injection", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/x' OR '1'='1\"}}")),
				post("POST patient not a member", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/pt00020\"}}")),
				get("patient parameter at group level", "Group/small/$export?patient=Patient/pt00001"),
				get("includeAssociatedData without Provenance",
						"Group/small/$export?includeAssociatedData=LatestProvenanceResources"),
				get("includeAssociatedData unknown", "Group/small/$export?_type=Provenance&includeAssociatedData=All"),
				get("unknown group", "Group/does-not-exist/$export"),
				get("group id too long", "Group/" + "g".repeat(300) + "/$export"),
				new Hostile("no Prefer header", "GET", "Group/small/$export", null, null),
				new Hostile("Prefer respond-sync", "GET", "Group/small/$export", null, null, "Prefer", "respond-sync"),
				post("POST text/plain body", "text/plain", "_type=Patient"),
				post("POST malformed JSON", "application/fhir+json", "{\"resourceType\":"),
				post("POST malformed XML", "application/fhir+xml", "<Parameters xmlns=\"http://hl7.org/fhir\"><parameter>"),
				post("POST a Patient instead of Parameters", "application/fhir+json", "{\"resourceType\":\"Patient\"}"),
				post("POST parameter without value", "application/fhir+json", PARAMS.formatted("{\"name\":\"_type\"}")),
				post("POST parameter with a resource", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"_type\",\"resource\":{\"resourceType\":\"Patient\"}}")),
				post("POST integer type", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"_type\",\"valueInteger\":5}")),
				post("POST bad since", "application/fhir+json",
						PARAMS.formatted("{\"name\":\"_since\",\"valueString\":\"soon\"}")),
				status("status without job id", "GET", "$export-status"),
				status("status path traversal", "GET", "$export-status?_jobId=" + enc("../../etc/passwd")),
				status("status very long id", "GET", "$export-status?_jobId=" + LONG),
				status("status unicode id", "GET", "$export-status?_jobId=" + enc("ü☃💥")),
				status("status SQL injection id", "GET", "$export-status?_jobId=" + enc("x' OR '1'='1")),
				status("delete unknown job", "DELETE", "$export-status?_jobId=00000000-0000-0000-0000-000000000000"),
				status("file path traversal", "GET",
						"$export-file?_jobId=00000000-0000-0000-0000-000000000000&file=" + enc("../../h2/hapi.mv.db")),
				status("file without name", "GET", "$export-file?_jobId=00000000-0000-0000-0000-000000000000"),
				status("file unicode name", "GET", "$export-file?_jobId=abc&file=" + enc("💥.ndjson")),
				status("PUT on kick-off", "PUT", "Group/small/$export"),
				status("DELETE on kick-off", "DELETE", "Group/small/$export"),
				status("PUT on status", "PUT", "$export-status?_jobId=abc"),
				status("DELETE on file", "DELETE", "$export-file?_jobId=abc&file=x")));
		assertThat(cases).hasSizeGreaterThanOrEqualTo(40);

		SoftAssertions softly = new SoftAssertions();
		for (Hostile c : cases) {
			HttpResponse<String> response = client.send(build(c));
			softly.assertThat(response.statusCode()).as(c.name() + ": " + response.body()).isBetween(400, 499);
			JsonNode body = parse(response.body());
			softly.assertThat(body.path("resourceType").asText()).as(c.name() + ": " + response.body())
					.isEqualTo("OperationOutcome");
			softly.assertThat(response.body()).as(c.name() + " leaks no stack trace")
					.doesNotContain("\tat ", "at org.", "at java.", "Exception:");
			softly.assertThat(response.headers().map()).as(c.name()).doesNotContainKey("x-injected");
		}
		softly.assertAll();

		assertThat(client.read("Patient/pt00001")).contains("pt00001");
		JsonNode manifest = client.export("Group/small/$export?_type=Patient");
		assertThat(BulkClient.counts(client.downloadAll(manifest))).containsExactly(java.util.Map.entry("Patient", 10));
	}

	private static JsonNode parse(String body) {
		try {
			return BulkClient.JSON.readTree(body);
		} catch (Exception notJson) {
			return BulkClient.JSON.createObjectNode();
		}
	}

	private HttpRequest build(Hostile c) {
		HttpRequest.Builder builder = client.request(c.path());
		if (!c.name().startsWith("no Prefer") && !c.name().startsWith("Prefer ")) {
			builder.header("Prefer", "respond-async");
		}
		for (int i = 0; i + 1 < c.headers().length; i += 2) {
			builder.header(c.headers()[i], c.headers()[i + 1]);
		}
		if (c.contentType() != null) {
			builder.header("Content-Type", c.contentType());
		}
		HttpRequest.BodyPublisher body = c.body() == null
				? HttpRequest.BodyPublishers.noBody()
				: HttpRequest.BodyPublishers.ofString(c.body());
		return builder.header("Accept", "application/fhir+json").method(c.method(), body).build();
	}

	private static Hostile get(String name, String path) {
		return new Hostile(name, "GET", path, null, null);
	}

	private static Hostile post(String name, String contentType, String body) {
		return new Hostile(name, "POST", "Group/small/$export", contentType, body);
	}

	private static Hostile status(String name, String method, String path) {
		return new Hostile(name, method, path, null, null);
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
