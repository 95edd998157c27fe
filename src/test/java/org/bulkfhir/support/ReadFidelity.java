package org.bulkfhir.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares every resource of an export with HAPI's own read of it: each NDJSON line with the JSON
 * read (equal as parsed JSON), and each entry of the file's FHIR XML download with the XML read
 * (equal as text).
 */
public final class ReadFidelity {

	private static final Pattern XML_ENTRY = Pattern.compile(
			"<entry><fullUrl value=\"[^\"]*/([A-Za-z]+)/([^\"/]+)\"/><resource>(.*?)</resource></entry>", Pattern.DOTALL);

	/** What was compared. */
	public record Compared(int resources, int withMetaExtension, List<String> lines) {}

	private ReadFidelity() {}

	public static Compared compareEveryResource(BulkClient client, JsonNode manifest) throws Exception {
		List<String> mismatches = java.util.Collections.synchronizedList(new ArrayList<>());
		List<String> all = new ArrayList<>();
		List<java.util.concurrent.Callable<Void>> reads = new ArrayList<>();
		int compared = 0;
		int withMetaExtension = 0;
		int xmlCompared = 0;
		for (JsonNode output : manifest.get("output")) {
			String url = output.get("url").asText();
			for (String line : client.download(url)) {
				all.add(line);
				JsonNode exported = BulkClient.JSON.readTree(line);
				String reference = exported.get("resourceType").asText() + "/" + exported.get("id").asText();
				reads.add(() -> {
					JsonNode read = BulkClient.JSON.readTree(client.read(reference));
					if (!exported.equals(read)) {
						mismatches.add("JSON " + reference + "\n  exported: " + line + "\n  HAPI read: " + read);
					}
					return null;
				});
				if (exported.path("meta").has("extension")) {
					withMetaExtension++;
				}
				compared++;
			}
			HttpResponse<String> xml = client.send(client.request(url).header("Accept", "application/fhir+xml").GET().build());
			assertThat(xml.statusCode()).isEqualTo(200);
			Matcher entry = XML_ENTRY.matcher(xml.body());
			int entries = 0;
			while (entry.find()) {
				entries++;
				String reference = entry.group(1) + "/" + entry.group(2);
				String exported = entry.group(3);
				reads.add(() -> {
					String read = readXml(client, reference);
					if (!exported.equals(read)) {
						mismatches.add("XML " + reference + "\n  exported: " + exported + "\n  HAPI read: " + read);
					}
					return null;
				});
			}
			assertThat(entries).as("XML entries of " + url).isEqualTo(output.get("count").asInt());
			xmlCompared += entries;
		}
		// HAPI's reads, one request per resource and format, from a few client threads at once.
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
		try {
			for (java.util.concurrent.Future<Void> read : pool.invokeAll(reads)) {
				read.get();
			}
		} finally {
			pool.shutdownNow();
		}
		assertThat(mismatches).as("resources that differ from HAPI's read (%d compared)", compared).isEmpty();
		assertThat(xmlCompared).isEqualTo(compared);
		return new Compared(compared, withMetaExtension, all);
	}

	private static String readXml(BulkClient client, String reference) throws Exception {
		HttpResponse<String> response = client.send(
				client.request(reference).header("Accept", "application/fhir+xml").GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		String body = response.body();
		return body.startsWith("<?xml") ? body.substring(body.indexOf("?>") + 2) : body;
	}
}
