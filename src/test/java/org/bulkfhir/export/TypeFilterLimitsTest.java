package org.bulkfhir.export;

import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** At most 50 {@code _typeFilter} queries of at most 2,000 characters each: more is a 400. */
class TypeFilterLimitsTest extends ServerTestBase {

	private static final String FILTER = "Patient?gender=female";

	@Test
	void moreThanFiftyFiltersAreRefused() throws Exception {
		HttpResponse<String> repeated = client.kickOff("Patient/$export?_type=Patient"
				+ Collections.nCopies(51, "&_typeFilter=" + enc(FILTER)).stream().collect(Collectors.joining()));
		assertRefused(repeated, "at most 50");

		HttpResponse<String> joined = client.kickOff(
				"Patient/$export?_type=Patient&_typeFilter=" + enc(String.join(",", Collections.nCopies(51, FILTER))));
		assertRefused(joined, "at most 50");
	}

	@Test
	void aFilterLongerThan2000CharactersIsRefused() throws Exception {
		String tooLong = "Patient?name=" + "a".repeat(2001 - "Patient?name=".length());
		assertThat(tooLong).hasSize(2001);
		HttpResponse<String> response = client.kickOff("Patient/$export?_type=Patient&_typeFilter=" + enc(tooLong));
		assertRefused(response, "at most 2000 characters");
	}

	@Test
	void fiftyFiltersOf2000CharactersAreAccepted() throws Exception {
		String longest = "Patient?name=" + "a".repeat(2000 - "Patient?name=".length());
		List<String> parameters = new ArrayList<>();
		parameters.add(parameter("_type", "Patient"));
		parameters.add(parameter("_typeFilter", longest));
		for (int i = 1; i < 50; i++) {
			parameters.add(parameter("_typeFilter", FILTER));
		}
		String body = "{\"resourceType\":\"Parameters\",\"parameter\":[" + String.join(",", parameters) + "]}";
		HttpResponse<String> response = client.send(client.request("Patient/$export")
				.header("Prefer", "respond-async")
				.header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		String status = response.headers().firstValue("Content-Location").orElseThrow();
		assertThat(client.send(client.request(status).DELETE().build()).statusCode()).isEqualTo(202);
	}

	private static void assertRefused(HttpResponse<String> response, String hint) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(response.body()).contains("OperationOutcome").contains("_typeFilter").contains(hint);
	}

	private static String parameter(String name, String value) {
		return "{\"name\":\"" + name + "\",\"valueString\":\"" + value + "\"}";
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
