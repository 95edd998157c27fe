package org.bulkfhir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import javax.sql.DataSource;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ReadFidelity;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.bulkfhir.support.TestPort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The benchmark's {@link PopulationMultiplier}: a sample population loaded through HAPI (by the
 * server's start-up loader, as the benchmark loads it), multiplied twice at SQL level while the
 * server runs, must be served by HAPI as if the copies had been written through it: a copy's read
 * and its searches (by patient, by code, by target) give the original's content with the ids and
 * references of the copy, and our Group export of the copies equals HAPI's read of every resource.
 * A server of its own (it changes the data).
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.sample-data.patients=" + PopulationMultiplierTest.BASE_PATIENTS,
			"bulkfhir.sample-data.encounters=1",
			"bulkfhir.export.max-resources-per-file=100",
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.auth.allow-loopback-jwks-uri=true",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PopulationMultiplierTest {

	static final int BASE_PATIENTS = 4;
	static final int COPIES = 2;
	static final Path DATA_DIR = Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();

	/** Per-patient types with a {@code patient} search parameter. */
	private static final List<String> TYPES = List.of("Encounter", "Observation", "Condition", "Procedure",
			"MedicationRequest", "Immunization", "AllergyIntolerance", "DiagnosticReport");

	@LocalServerPort
	int port;

	@Autowired
	DataSource dataSource;

	private BulkClient client;
	private PopulationMultiplier.Result result;

	@DynamicPropertySource
	static void server(DynamicPropertyRegistry registry) {
		TestDatabase.register(registry, DATA_DIR);
		TestPort.register(registry);
	}

	@BeforeAll
	void multiply() throws Exception {
		TestApps apps = new TestApps("http://localhost:" + port + "/fhir");
		client = new BulkClient("http://localhost:" + port + "/fhir").withToken(apps.readWriteTokens());
		try (Connection connection = dataSource.getConnection()) {
			result = PopulationMultiplier.multiply(connection, COPIES);
		}
	}

	@Test
	void copiesEveryPerPatientResourceOnce() {
		assertThat(result.basePatients()).isEqualTo(BASE_PATIENTS);
		int perPatient = SampleData.resourcesPerPatient(1);
		// The first patient has no Provenance linking it to a previous one.
		assertThat(result.baseResources()).isEqualTo(BASE_PATIENTS * perPatient - 1);
		assertThat(result.resourcesAdded()).isEqualTo((long) COPIES * result.baseResources());
	}

	@Test
	void hapiReadsAndSearchesACopyAsTheOriginalWithTheCopysIds() throws Exception {
		for (int copy = 1; copy <= COPIES; copy++) {
			int original = 1;
			int index = original + copy * BASE_PATIENTS;
			String from = SampleData.patientId(original);
			String to = SampleData.patientId(index);
			assertThat(json(client.read("Patient/" + to))).isEqualTo(expectedCopy(json(client.read("Patient/" + from)), from, to));
			int compared = 0;
			for (String type : TYPES) {
				Map<String, JsonNode> originals = search(type + "?patient=Patient/" + from);
				Map<String, JsonNode> copies = search(type + "?patient=Patient/" + to);
				assertThat(copies.keySet()).as(type).containsExactlyInAnyOrderElementsOf(
						rewritten(originals.keySet(), from, to));
				for (Map.Entry<String, JsonNode> entry : originals.entrySet()) {
					String copyId = rewriteTarget(entry.getKey(), from, to);
					assertThat(copies.get(copyId)).as(copyId).isEqualTo(expectedCopy(entry.getValue(), from, to));
					assertThat(json(client.read(copyId))).as(copyId).isEqualTo(copies.get(copyId));
					compared++;
				}
			}
			assertThat(compared).isGreaterThan(10);
			// Token and date indexes of the copies: the same hits as the original's.
			assertThat(List.copyOf(search("Observation?patient=Patient/" + to + "&code=http://loinc.org%7C8867-4").keySet()))
					.isEqualTo(rewritten(search("Observation?patient=Patient/" + from + "&code=http://loinc.org%7C8867-4").keySet(), from, to))
					.isNotEmpty();
			assertThat(List.copyOf(search("Encounter?patient=Patient/" + to + "&date=ge2015-01-01").keySet()))
					.isEqualTo(rewritten(search("Encounter?patient=Patient/" + from + "&date=ge2015-01-01").keySet(), from, to))
					.isNotEmpty();
			// Provenance by target, including the one linking the copy to the previous patient of its copy.
			Map<String, JsonNode> provenance = search("Provenance?target=Patient/" + to);
			assertThat(provenance.keySet()).containsExactlyInAnyOrderElementsOf(
					rewritten(search("Provenance?target=Patient/" + from).keySet(), from, to));
			JsonNode link = provenance.get("Provenance/prov-link-" + to);
			assertThat(link.toString()).contains("Patient/" + SampleData.patientId(index - 1));
		}
	}

	@Test
	void groupExportOfTheCopiesEqualsHapisReadOfEachResource() throws Exception {
		int total = BASE_PATIENTS * (COPIES + 1);
		client.put(SampleData.group("copies", "The copies", BASE_PATIENTS, total, null));
		JsonNode manifest = client.export("Group/copies/$export");
		ReadFidelity.Compared compared = ReadFidelity.compareEveryResource(client, manifest);
		JsonNode baseManifest = client.export("Group/all/$export");
		List<String> base = ids(ReadFidelity.compareEveryResource(client, baseManifest).lines());
		// Every per-patient resource of the originals twice (as its two copies), the shared ones once.
		Map<String, Integer> expected = new TreeMap<>();
		for (String id : base) {
			expected.merge(id, PopulationMultiplier.PATIENT_INDEX.matcher(id).find() ? COPIES : 1, Integer::sum);
		}
		Map<String, Integer> actual = new TreeMap<>();
		for (String id : ids(compared.lines())) {
			Matcher index = PopulationMultiplier.PATIENT_INDEX.matcher(id);
			if (index.find()) {
				assertThat(Integer.parseInt(index.group(1))).as(id).isBetween(BASE_PATIENTS, total - 1);
				id = index.replaceAll(m -> "pt" + String.format("%05d", Integer.parseInt(m.group(1)) % BASE_PATIENTS));
			}
			actual.merge(id, 1, Integer::sum);
		}
		assertThat(actual).isEqualTo(expected);
		assertThat(compared.resources()).isGreaterThan(COPIES * 40);
	}

	private static List<String> ids(List<String> lines) throws Exception {
		List<String> ids = new ArrayList<>();
		for (String line : lines) {
			JsonNode resource = BulkClient.JSON.readTree(line);
			ids.add(resource.get("resourceType").asText() + "/" + resource.get("id").asText());
		}
		return ids;
	}

	private static List<String> rewritten(Iterable<String> ids, String from, String to) {
		List<String> out = new ArrayList<>();
		ids.forEach(id -> out.add(rewriteTarget(id, from, to)));
		return out;
	}

	/** Search results by type/id (one page: the sample's patients have far fewer than 500 each). */
	private Map<String, JsonNode> search(String query) throws Exception {
		HttpResponse<String> response = client.send(client.request(query + (query.contains("?") ? "&" : "?") + "_count=500")
				.header("Cache-Control", "no-cache").GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode bundle = json(response.body());
		assertThat(bundle.has("link") && bundle.get("link").toString().contains("\"next\"")).isFalse();
		Map<String, JsonNode> byId = new TreeMap<>();
		for (JsonNode entry : bundle.path("entry")) {
			JsonNode resource = entry.get("resource");
			byId.put(resource.get("resourceType").asText() + "/" + resource.get("id").asText(), resource);
		}
		return byId;
	}

	private static JsonNode json(String text) throws Exception {
		return BulkClient.JSON.readTree(text);
	}

	/** The original with the copy's id and every reference to the original patient's resources rewritten. */
	private static JsonNode expectedCopy(JsonNode original, String from, String to) {
		JsonNode copy = original.deepCopy();
		((ObjectNode) copy).put("id", rewriteTarget(copy.get("id").asText(), from, to));
		rewriteReferences(copy, from, to);
		return copy;
	}

	private static void rewriteReferences(JsonNode node, String from, String to) {
		if (node instanceof ObjectNode object) {
			Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
			while (fields.hasNext()) {
				Map.Entry<String, JsonNode> field = fields.next();
				if (field.getKey().equals("reference") && field.getValue().isTextual()) {
					field.setValue(new TextNode(rewriteTarget(field.getValue().asText(), from, to)));
				} else {
					rewriteReferences(field.getValue(), from, to);
				}
			}
		} else if (node instanceof ArrayNode array) {
			array.forEach(element -> rewriteReferences(element, from, to));
		}
	}

	/** Any patient index in an id or reference moves by the same number of patients as from → to. */
	private static String rewriteTarget(String reference, String from, String to) {
		int shift = Integer.parseInt(to.substring(2)) - Integer.parseInt(from.substring(2));
		return PopulationMultiplier.PATIENT_INDEX.matcher(reference)
				.replaceAll(m -> "pt" + String.format("%05d", Integer.parseInt(m.group(1)) + shift));
	}
}
