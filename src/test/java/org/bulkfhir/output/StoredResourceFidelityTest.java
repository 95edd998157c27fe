package org.bulkfhir.output;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ReadFidelity;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every exported resource of the sample population (US Core profiles, tags, security labels,
 * meta.source, extensions, contained resources, narratives) equals HAPI's read of it, as JSON and
 * as XML; the few whose stored text keeps a meta (extensions on meta) are read by HAPI, counted in
 * the job's report.
 */
class StoredResourceFidelityTest extends ServerTestBase {

	@Test
	void everyExportedResourceEqualsHapisRead() throws Exception {
		String types = String.join(",", ExpectedData.everything().keySet());
		String status = client.start("$export?_type=" + types);
		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(120));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = BulkClient.JSON.readTree(done.body());

		ReadFidelity.Compared compared = ReadFidelity.compareEveryResource(client, manifest);

		int loaded = ExpectedData.everything().values().stream().mapToInt(java.util.Set::size).sum();
		assertThat(compared.resources()).isGreaterThanOrEqualTo(loaded);
		assertThat(compared.lines()).filteredOn(l -> l.contains("\"profile\":[")).hasSizeGreaterThan(loaded * 3 / 4);
		assertThat(compared.lines()).filteredOn(l -> l.contains("\"security\":[")).isNotEmpty();
		assertThat(compared.lines()).filteredOn(l -> l.contains("\"userSelected\":")).isNotEmpty();
		// Resources whose meta has extensions (HAPI keeps that meta in the stored text) are spliced too, after
		// their extensions: none went through HAPI's parser.
		String jobId = status.substring(status.indexOf("_jobId=") + 7);
		JsonNode detail = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + jobId, null, 200));
		assertThat(compared.withMetaExtension()).isEqualTo(PATIENTS / 10);
		assertThat(detail.get("readByHapi").asInt()).isZero();
	}
}
