package org.bulkfhir.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ExpectedData;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** 20 exports from 4 clients at the same time: each gets exactly its data and sees only its own jobs. */
class ConcurrentClientsTest extends ServerTestBase {

	private static final List<String> KICK_OFFS = List.of(
			"Group/small/$export", "Group/all/$export?_type=Patient,Observation", "Patient/$export?_type=Condition",
			"Group/small/$export?_type=Encounter,Provenance", "$export?_type=Practitioner,Organization");

	record Run(int client, String kickOff, String statusUrl, Map<String, Integer> counts) {}

	@Test
	void twentyExportsFromFourClientsCompleteExactlyAndStayPrivate() throws Exception {
		List<BulkClient> clients = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			TestApps.App app = apps.register("system", "system/*.read");
			clients.add(new BulkClient(base()).withToken(apps.tokens(app, "system/*.read")));
		}
		ExecutorService pool = Executors.newFixedThreadPool(20);
		List<Future<Run>> futures = new ArrayList<>();
		for (int c = 0; c < clients.size(); c++) {
			for (String kickOff : KICK_OFFS) {
				int index = c;
				futures.add(pool.submit(() -> run(index, clients.get(index), kickOff)));
			}
		}
		List<Run> runs = new ArrayList<>();
		for (Future<Run> future : futures) {
			runs.add(future.get());
		}
		pool.shutdown();

		assertThat(runs).hasSize(20);
		for (Run run : runs) {
			assertThat(run.counts()).as(run.kickOff()).isEqualTo(expected(run.kickOff()));
			for (int other = 0; other < clients.size(); other++) {
				if (other != run.client()) {
					BulkClient intruder = clients.get(other);
					assertThat(intruder.send(intruder.request(run.statusUrl()).GET().build()).statusCode())
							.as("client " + other + " must not see a job of client " + run.client()).isEqualTo(404);
				}
			}
		}
	}

	private static Run run(int index, BulkClient client, String kickOff) throws Exception {
		String status = client.start(kickOff);
		JsonNode manifest = BulkClient.JSON.readTree(client.poll(status, Duration.ofSeconds(120)).body());
		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		exported.values().forEach(list -> assertThat(BulkClient.ids(list)).doesNotHaveDuplicates());
		return new Run(index, kickOff, status, BulkClient.counts(exported));
	}

	private static Map<String, Integer> expected(String kickOff) {
		Map<String, Set<String>> small = ExpectedData.forPatients(ExpectedData.range(0, 10));
		Map<String, Set<String>> all = ExpectedData.forPatients(ExpectedData.range(0, PATIENTS));
		Map<String, Set<String>> everything = ExpectedData.everything();
		return switch (kickOff) {
			case "Group/small/$export" -> ExpectedData.counts(small);
			case "Group/all/$export?_type=Patient,Observation" -> Map.of(
					"Patient", all.get("Patient").size(), "Observation", all.get("Observation").size());
			case "Patient/$export?_type=Condition" -> Map.of("Condition", all.get("Condition").size());
			case "Group/small/$export?_type=Encounter,Provenance" -> Map.of(
					"Encounter", small.get("Encounter").size(),
					"Provenance", ExpectedData.provenanceTargeting(encounterRefs(small)).size());
			case "$export?_type=Practitioner,Organization" -> Map.of(
					"Practitioner", everything.get("Practitioner").size(),
					"Organization", everything.get("Organization").size());
			default -> throw new IllegalArgumentException(kickOff);
		};
	}

	private static Set<String> encounterRefs(Map<String, Set<String>> ids) {
		Set<String> refs = new java.util.TreeSet<>();
		ids.get("Encounter").forEach(id -> refs.add("Encounter/" + id));
		return refs;
	}
}
