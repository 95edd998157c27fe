package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bulkfhir.export.PatientParameterTest.assertRefused;

/**
 * The kick-off parameter {@code organizeOutputBy=Patient} (Bulk Data STU3, "Bulk Data Output File
 * Organization"): files of patient blocks, each a header Parameters referencing the Patient, then the
 * Patient and its data; blocks cut by the file limits (25 resources here) start the next file with the
 * header again and the manifest says so with {@code continuesInFile}; {@code outputOrganizedBy} in the
 * manifest, no {@code type} on its output entries. The same resources as the export without it, once each.
 */
class OrganizeOutputByTest extends ServerTestBase {

	private static final String ALL_GROUP_TYPES = "AllergyIntolerance,Condition,DiagnosticReport,Encounter,"
			+ "Immunization,Location,Medication,MedicationRequest,Observation,Organization,Patient,Practitioner,"
			+ "PractitionerRole,Procedure,Provenance";
	private static final Set<String> REFERENCED = Set.of(
			"Practitioner", "PractitionerRole", "Organization", "Location", "Medication", "Provenance");

	/** One block of a file: the patient id of its header and its resources' lines. */
	record Block(String file, String patient, List<JsonNode> resources) {}

	@Test
	void groupExportComesInPatientBlocksWithTheSameResourcesAsWithout() throws Exception {
		JsonNode organized = client.export("Group/all/$export?_type=" + ALL_GROUP_TYPES + "&organizeOutputBy=Patient");
		JsonNode plain = client.export("Group/all/$export?_type=" + ALL_GROUP_TYPES);

		assertThat(organized.get("outputOrganizedBy").asText()).isEqualTo("Patient");
		assertThat(plain.has("outputOrganizedBy")).isFalse();
		Map<String, List<String>> files = download(organized);
		List<Block> blocks = blocks(organized, files);

		// Each block holds its patient's resources: the Patient itself, data that references it, and the
		// referenced resources and Provenance the IG lets a server put in a block.
		Set<String> patientsSeen = new HashSet<>();
		for (Block block : blocks) {
			assertThat(block.resources()).as("block of %s in %s", block.patient(), block.file()).isNotEmpty();
			for (JsonNode resource : block.resources()) {
				String type = resource.get("resourceType").asText();
				if (type.equals("Patient")) {
					assertThat(resource.get("id").asText()).isEqualTo(block.patient());
					assertThat(patientsSeen.add(block.patient())).as("Patient %s once", block.patient()).isTrue();
				} else if (!REFERENCED.contains(type)) {
					assertThat(resource.toString()).as("%s in the block of %s", type, block.patient())
							.contains("Patient/" + block.patient());
				}
			}
		}
		assertThat(patientsSeen).hasSize(PATIENTS);
		assertContiguous(organized, blocks);

		// Nothing missing, nothing twice: the same resources as the export organized by type.
		List<String> organizedKeys = new ArrayList<>();
		blocks.forEach(b -> b.resources().forEach(r -> organizedKeys.add(key(r))));
		List<String> plainKeys = new ArrayList<>();
		for (JsonNode output : plain.get("output")) {
			for (String line : client.download(output.get("url").asText())) {
				plainKeys.add(key(BulkClient.JSON.readTree(line)));
			}
		}
		assertThat(organizedKeys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(plainKeys);
		assertThat(organizedKeys).anyMatch(k -> k.startsWith("Provenance/")).anyMatch(k -> k.startsWith("Practitioner/"));
	}

	@Test
	void blocksCutByTheFileLimitContinueInTheNamedFileWithTheHeaderAgain() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?organizeOutputBy=Patient");
		Map<String, List<String>> files = download(manifest);

		int continued = 0;
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.has("type")).as("the IG: no type when organized").isFalse();
			List<String> lines = files.get(output.get("url").asText());
			assertThat(lines).hasSize(output.get("count").asInt()).hasSizeLessThanOrEqualTo(25);
			assertThat(header(lines.get(0))).as("a file starts with a header").isNotNull();
			assertThat(header(lines.get(lines.size() - 1))).as("a file does not end with a header").isNull();
			if (output.has("continuesInFile")) {
				continued++;
				List<String> next = files.get(output.get("continuesInFile").asText());
				assertThat(next).as("continuesInFile names a file of the manifest").isNotNull();
				assertThat(header(next.get(0))).isEqualTo(lastHeader(lines));
			}
		}
		// Every patient of the sample has more than 25 resources: their blocks must span files.
		assertThat(continued).isGreaterThan(0);
		assertContiguous(manifest, blocks(manifest, files));
	}

	@Test
	void patientLevelWithTypeSinceFilterAndElementsKeepsTheirMeaning() throws Exception {
		String query = "_type=Patient,Observation,Encounter&_since=2000-01-01T00:00:00Z"
				+ "&_typeFilter=Observation%3Fstatus%3Dfinal&_elements=Patient.id,Observation.status";
		JsonNode organized = client.export("Patient/$export?" + query + "&organizeOutputBy=Patient");
		JsonNode plain = client.export("Patient/$export?" + query);

		List<String> organizedLines = new ArrayList<>();
		for (Block block : blocks(organized, download(organized))) {
			block.resources().forEach(r -> organizedLines.add(r.toString()));
		}
		List<String> plainLines = new ArrayList<>();
		for (JsonNode output : plain.get("output")) {
			for (String line : client.download(output.get("url").asText())) {
				plainLines.add(BulkClient.JSON.readTree(line).toString());
			}
		}
		// The same resources, cut the same way (meta aside, the same text).
		assertThat(organizedLines).containsExactlyInAnyOrderElementsOf(plainLines);
		assertThat(organizedLines).anyMatch(l -> l.contains("SUBSETTED"));
	}

	@Test
	void withPatientOnlyTheNamedPatientsHaveBlocks() throws Exception {
		JsonNode manifest = client.exportPost("Group/small/$export", PatientParameterTest.parameters(
				PatientParameterTest.patient("Patient/pt00001"), PatientParameterTest.patient("Patient/pt00003"),
				PatientParameterTest.string("organizeOutputBy", "Patient")));

		assertThat(manifest.get("outputOrganizedBy").asText()).isEqualTo("Patient");
		Set<String> headed = new HashSet<>();
		Set<String> patients = new HashSet<>();
		for (Block block : blocks(manifest, download(manifest))) {
			headed.add(block.patient());
			block.resources().stream().filter(r -> r.get("resourceType").asText().equals("Patient"))
					.forEach(r -> patients.add(r.get("id").asText()));
		}
		assertThat(headed).containsExactlyInAnyOrder("pt00001", "pt00003");
		assertThat(patients).containsExactlyInAnyOrder("pt00001", "pt00003");
	}

	@Test
	void anOrganizedFileDownloadsAsXml() throws Exception {
		JsonNode manifest = client.export("Group/small/$export?_type=Patient,Condition&organizeOutputBy=Patient");
		String url = manifest.get("output").get(0).get("url").asText();
		HttpResponse<String> xml = client.send(client.request(url).header("Accept", "application/fhir+xml").GET().build());

		assertThat(xml.statusCode()).isEqualTo(200);
		org.hl7.fhir.r4.model.Bundle bundle =
				BulkClient.FHIR.newXmlParser().parseResource(org.hl7.fhir.r4.model.Bundle.class, xml.body());
		List<String> lines = client.download(url);
		assertThat(bundle.getEntry()).hasSize(lines.size());
		org.hl7.fhir.r4.model.Parameters header =
				(org.hl7.fhir.r4.model.Parameters) bundle.getEntryFirstRep().getResource();
		assertThat(((org.hl7.fhir.r4.model.Reference) header.getParameter("header").getValue()).getReference())
				.isEqualTo("Patient/" + header(lines.get(0)));
	}

	@Test
	void theAdminJobDetailShowsIt() throws Exception {
		String status = client.start("Group/small/$export?_type=Patient&organizeOutputBy=Patient");
		client.poll(status, java.time.Duration.ofSeconds(60));
		String jobId = URLDecoder.decode(status.substring(status.indexOf("_jobId=") + 7), StandardCharsets.UTF_8);
		HttpResponse<String> detail = client.send(HttpRequest.newBuilder(
						URI.create("http://localhost:" + port + "/admin/api/jobs/" + jobId))
				.header("Authorization", TestApps.basic(TestApps.ADMIN_USER, TestApps.ADMIN_PASSWORD))
				.GET()
				.build());
		assertThat(detail.statusCode()).isEqualTo(200);
		assertThat(BulkClient.JSON.readTree(detail.body()).at("/parameters/organizeOutputBy").asText())
				.isEqualTo("Patient");
	}

	@Test
	void badValuesAreRefusedNamingTheParameter() throws Exception {
		assertRefused(client.kickOff("Group/small/$export?organizeOutputBy=Encounter"), "organizeOutputBy", "Encounter");
		assertRefused(client.kickOff("Patient/$export?organizeOutputBy=patient"), "organizeOutputBy");
		assertRefused(client.kickOff("Group/small/$export?organizeOutputBy="), "organizeOutputBy");
		assertRefused(client.kickOff("Group/small/$export?organizeOutputBy=Patient&organizeOutputBy=Patient"),
				"organizeOutputBy", "once");
		assertRefused(client.kickOff("$export?organizeOutputBy=Patient"), "organizeOutputBy", "Group and Patient level");
	}

	@Test
	void theCapabilityStatementDeclaresItForGroupAndPatientOnly() throws Exception {
		org.hl7.fhir.r4.model.CapabilityStatement statement = BulkClient.FHIR.newJsonParser()
				.parseResource(org.hl7.fhir.r4.model.CapabilityStatement.class, client.read("metadata"));
		org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent rest = statement.getRestFirstRep();
		assertThat(rest.getOperation().stream().filter(o -> o.getName().equals("export")).findFirst().orElseThrow()
				.getDocumentation()).doesNotContain("organizeOutputBy");
		for (String type : List.of("Group", "Patient")) {
			assertThat(rest.getResource().stream().filter(r -> r.getType().equals(type)).findFirst().orElseThrow()
					.getOperation().stream().filter(o -> o.getName().equals("export")).findFirst().orElseThrow()
					.getDocumentation()).as(type).contains("organizeOutputBy");
		}
	}

	/**
	 * A patient's resources come together: its blocks follow each other within a chunk's files (a block
	 * is continued only at the start of the file its predecessor names), plus at most one more block in
	 * the files the manifest step writes (resources of several patients, referenced ones, shared Provenance).
	 */
	private static void assertContiguous(JsonNode manifest, List<Block> blocks) {
		Map<String, String> continuesIn = new HashMap<>();
		for (JsonNode output : manifest.get("output")) {
			if (output.has("continuesInFile")) {
				continuesIn.put(output.get("url").asText(), output.get("continuesInFile").asText());
			}
		}
		Map<String, List<Block>> byPatient = new LinkedHashMap<>();
		blocks.forEach(b -> byPatient.computeIfAbsent(b.patient(), p -> new ArrayList<>()).add(b));
		byPatient.forEach((patient, own) -> {
			int outsideChains = 0;
			for (int i = 1; i < own.size(); i++) {
				Block previous = own.get(i - 1);
				Block block = own.get(i);
				if (!block.file().equals(continuesIn.get(previous.file()))) {
					outsideChains++;
				}
			}
			assertThat(outsideChains).as("blocks of %s outside its continuation chain", patient).isLessThanOrEqualTo(1);
		});
	}

	private Map<String, List<String>> download(JsonNode manifest) throws Exception {
		Map<String, List<String>> files = new LinkedHashMap<>();
		for (JsonNode output : manifest.get("output")) {
			assertThat(output.has("type")).isFalse();
			files.put(output.get("url").asText(), client.download(output.get("url").asText()));
		}
		return files;
	}

	/** The blocks of the files in manifest order; fails on a line before the first header. */
	private static List<Block> blocks(JsonNode manifest, Map<String, List<String>> files) throws Exception {
		List<Block> blocks = new ArrayList<>();
		for (Map.Entry<String, List<String>> file : files.entrySet()) {
			Block current = null;
			for (String line : file.getValue()) {
				String patient = header(line);
				if (patient != null) {
					current = new Block(file.getKey(), patient, new ArrayList<>());
					blocks.add(current);
				} else {
					assertThat(current).as("a resource before any header in %s", file.getKey()).isNotNull();
					current.resources().add(BulkClient.JSON.readTree(line));
				}
			}
		}
		return blocks;
	}

	/** The patient id a header line names, or null for any other line. */
	private static String header(String line) throws Exception {
		JsonNode node = BulkClient.JSON.readTree(line);
		if (!node.path("resourceType").asText().equals("Parameters")) {
			return null;
		}
		assertThat(node.get("parameter")).hasSize(1);
		assertThat(node.at("/parameter/0/name").asText()).isEqualTo("header");
		String reference = node.at("/parameter/0/valueReference/reference").asText();
		assertThat(reference).startsWith("Patient/");
		return reference.substring("Patient/".length());
	}

	private static String lastHeader(List<String> lines) throws Exception {
		String last = null;
		for (String line : lines) {
			String patient = header(line);
			last = patient != null ? patient : last;
		}
		return last;
	}

	private static String key(JsonNode resource) {
		return resource.get("resourceType").asText() + "/" + resource.get("id").asText();
	}
}
