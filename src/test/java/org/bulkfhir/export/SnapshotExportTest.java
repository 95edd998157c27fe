package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.reliability.FaultInjection;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exports are exact while data changes (issue 17): each export is the data as it was at its
 * transaction time, and a resource in several exported patients' compartments is written once.
 *
 * <p>Every work chunk is held 2 s and the manifest step 1 s (the test-only {@link FaultInjection}) so that
 * a writer started right after the 202s updates, deletes and creates several hundred of the exported
 * resources while the exports run. Each export is then compared with a twin run on the quiet data
 * just before (the same resources, each in the same version) and every exported line with HAPI's
 * history: the version current at the transaction time, exactly as {@code _history/[vid]} returns it.
 */
@SpringBootTest(
		classes = {BulkFhirServerApplication.class, FaultInjection.class},
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.export.patients-per-chunk=4",
			"bulkfhir.export.resources-per-chunk=300",
			"bulkfhir.export.max-running-per-client=50",
			"bulkfhir.export.max-finished-per-client=0",
			"bulkfhir-test.slow-chunks=PT2S",
			"bulkfhir-test.slow-manifest=PT1S",
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
class SnapshotExportTest {

	private static final Path DATA_DIR =
			Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	/** Group "busy": the patients the writer changes. */
	private static final int BUSY = 24;
	/** Not in a Group: where the writer moves Observations to and from. */
	private static final int OUTSIDER = 40;
	/** Group "pair": 8 patients (2 chunks of 4), with resources in two members' compartments. */
	private static final int PAIR_FROM = 50;
	private static final int PAIR_SIZE = 8;
	private static final String ALL_TYPES = "AllergyIntolerance,Condition,Coverage,DiagnosticReport,Encounter,"
			+ "Immunization,Location,Medication,MedicationRequest,Observation,Organization,Patient,Practitioner,Procedure";
	private static final int ENCOUNTERS = 2;
	private static final Duration TIMEOUT = Duration.ofMinutes(5);
	private static volatile boolean loaded;

	@LocalServerPort
	int port;

	BulkClient client;

	@DynamicPropertySource
	static void dataDirectory(DynamicPropertyRegistry registry) {
		org.bulkfhir.support.TestPort.register(registry);
		TestDatabase.register(registry, DATA_DIR);
	}

	@BeforeEach
	void setUp() throws Exception {
		client = new BulkClient(base()).withToken(new TestApps(base()).readWriteTokens());
		load();
	}

	private synchronized void load() throws Exception {
		if (loaded) {
			return;
		}
		client.transaction(SampleData.sharedResources());
		for (int i = 0; i < BUSY; i++) {
			client.transaction(SampleData.patient(i, ENCOUNTERS));
		}
		client.transaction(SampleData.patientOwnRecord(OUTSIDER, ENCOUNTERS));
		for (int i = PAIR_FROM; i < PAIR_FROM + PAIR_SIZE; i++) {
			client.transaction(SampleData.patientOwnRecord(i, ENCOUNTERS));
		}
		client.put(SampleData.group("busy", "Busy", 0, BUSY, null));
		client.put(SampleData.group("pair", "Pair", PAIR_FROM, PAIR_FROM + PAIR_SIZE, null));
		loadSharedResources();
		loaded = true;
	}

	/**
	 * In two members' compartments, the members in different chunks (indexes 0 and 5 of "pair"): a
	 * Coverage (subscriber and beneficiary), an Observation (subject and performer), and a Provenance
	 * of each.
	 */
	private void loadSharedResources() throws Exception {
		String first = SampleData.patientId(PAIR_FROM);
		String second = SampleData.patientId(PAIR_FROM + 5);
		Coverage coverage = new Coverage();
		coverage.setId("cov-shared");
		coverage.setStatus(Coverage.CoverageStatus.ACTIVE);
		coverage.setSubscriber(new Reference("Patient/" + first));
		coverage.setBeneficiary(new Reference("Patient/" + second));
		coverage.addPayor(new Reference("Organization/org1"));
		client.put(coverage);
		Observation observation = new Observation();
		observation.setId("obs-shared");
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.setCode(new CodeableConcept().setText("Observed by another patient"));
		observation.setSubject(new Reference("Patient/" + first));
		observation.addPerformer(new Reference("Patient/" + second));
		client.put(observation);
		client.put(provenance("prov-cov-shared", "Coverage/cov-shared"));
		client.put(provenance("prov-obs-shared", "Observation/obs-shared"));
	}

	private static Provenance provenance(String id, String... targets) {
		Provenance provenance = new Provenance();
		provenance.setId(id);
		for (String target : targets) {
			provenance.addTarget(new Reference(target));
		}
		provenance.setRecorded(new Date(1_700_000_000_000L));
		provenance.addAgent().setWho(new Reference("Practitioner/prac1"));
		return provenance;
	}

	@Test
	void exportsAreTheDataAtTheirTransactionTimeWhileItChanges() throws Exception {
		List<String> exports = List.of(
				"Group/busy/$export?_type=" + ALL_TYPES + ",Provenance",
				"Group/busy/$export?_type=Patient,Observation,Provenance"
						+ "&_typeFilter=Observation%3Fcode%3Dhttp://loinc.org%7C8867-4",
				"Patient/$export?_type=" + ALL_TYPES,
				"$export?_type=" + ALL_TYPES + ",Provenance,Group");
		// The twins, on quiet data: what each export must contain, line for line.
		List<Exported> quiet = new ArrayList<>();
		for (String export : exports) {
			quiet.add(lines(export(export)));
		}

		List<String> statuses = new ArrayList<>();
		for (String export : exports) {
			statuses.add(client.start(export));
		}
		List<String> changed = runWriter();
		assertThat(changed).hasSizeGreaterThan(250);

		for (int i = 0; i < exports.size(); i++) {
			HttpResponse<String> done = client.poll(statuses.get(i), TIMEOUT);
			assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
			JsonNode manifest = BulkClient.JSON.readTree(done.body());
			Exported exported = lines(manifest);
			long transactionTime = new InstantType(manifest.get("transactionTime").asText()).getValue().getTime();
			assertThat(exported.duplicates).as(exports.get(i)).isEmpty();
			assertThat(exported.lines.keySet()).as(exports.get(i)).isEqualTo(quiet.get(i).lines.keySet());
			for (Map.Entry<String, String> line : exported.lines.entrySet()) {
				assertThat(BulkClient.JSON.readTree(line.getValue())).as(line.getKey())
						.isEqualTo(BulkClient.JSON.readTree(quiet.get(i).lines.get(line.getKey())));
			}
			int checked = 0;
			for (String reference : changed) {
				if (exported.lines.containsKey(reference)) {
					assertIsVersionAt(reference, exported.lines.get(reference), transactionTime);
					checked++;
				}
			}
			assertThat(checked).as(exports.get(i)).isPositive();
		}

		// The writer did change what was exported: the versions at the transaction time are not current.
		assertThat(client.send(client.request("DiagnosticReport/dr-" + SampleData.patientId(3) + "-1").GET().build())
				.statusCode()).isEqualTo(410);
	}

	@Test
	void aResourceInSeveralPatientsCompartmentsIsExportedOnce() throws Exception {
		for (String export : List.of(
				"Group/pair/$export",
				"Group/pair/$export?_type=" + ALL_TYPES + ",Provenance",
				"Group/pair/$export?_type=Coverage,Observation,Provenance",
				"Patient/$export",
				"Patient/$export?_type=" + ALL_TYPES + ",Provenance")) {
			Exported exported = lines(export(export));
			assertThat(exported.duplicates).as(export).isEmpty();
			assertThat(exported.lines).as(export).containsKeys("Coverage/cov-shared", "Observation/obs-shared");
			if (export.contains("Provenance")) {
				assertThat(exported.lines).as(export).containsKeys("Provenance/prov-cov-shared", "Provenance/prov-obs-shared");
			} else {
				assertThat(exported.lines.keySet()).as(export).noneMatch(key -> key.startsWith("Provenance/"));
			}
		}
	}

	/** Each exported line is the version that was current at {@code transactionTime}, as HAPI's history has it. */
	private void assertIsVersionAt(String reference, String line, long transactionTime) throws Exception {
		Bundle history = (Bundle) BulkClient.FHIR.newJsonParser()
				.parseResource(client.read(reference + "/_history?_count=100"));
		String versionAt = null;
		long newest = Long.MIN_VALUE;
		for (Bundle.BundleEntryComponent entry : history.getEntry()) {
			if (!entry.hasResource()) {
				continue; // a deletion: the writer deletes only after the transaction time
			}
			String version = entry.getResource().getIdElement().getVersionIdPart();
			long time = entry.getResource().getMeta().getLastUpdated().getTime();
			if (time <= transactionTime && time > newest && version != null) {
				newest = time;
				versionAt = version;
			}
		}
		JsonNode exported = BulkClient.JSON.readTree(line);
		assertThat(exported.get("meta").get("versionId").asText()).as(reference).isEqualTo(versionAt);
		JsonNode read = BulkClient.JSON.readTree(client.read(reference + "/_history/" + versionAt));
		assertThat(exported).as(reference).isEqualTo(read);
	}

	/**
	 * Several hundred changes to the busy Group's data, from 4 threads: updates of Patients, Observations,
	 * Encounters (twice), Provenance and a Practitioner; Observations moved out of and into the Group's
	 * compartments; a heart rate's code changed (the filtered export); DiagnosticReports and Conditions
	 * deleted with their Provenance; new Observations with Provenance created. Returns how many were made.
	 */
	private List<String> runWriter() throws Exception {
		List<Callable> writes = new ArrayList<>();
		List<String> changed = new ArrayList<>();
		String outsider = SampleData.patientId(OUTSIDER);
		writes.add(() -> update("Practitioner/prac1", (Practitioner p) -> p.addName().setFamily("Renamed")));
		changed.add("Practitioner/prac1");
		for (int i = 0; i < BUSY; i++) {
			String pid = SampleData.patientId(i);
			String heartRate = "Observation/obs-" + pid + "-0-0";
			String noted = "Observation/obs-" + pid + "-0-1";
			String movedOut = "Observation/obs-" + pid + "-1-0";
			String encounter = "Encounter/enc-" + pid + "-0";
			String provenance = "Provenance/prov-obs-" + pid + "-0-2";
			String report = "DiagnosticReport/dr-" + pid + "-1";
			String condition = "Condition/cond-" + pid + "-1";
			changed.addAll(List.of("Patient/" + pid, heartRate, noted, movedOut, encounter, provenance, report,
					"Provenance/prov-dr-" + pid + "-1", condition, "Provenance/prov-cond-" + pid + "-1",
					"Observation/new-" + pid, "Provenance/prov-new-" + pid));
			writes.add(() -> update("Patient/" + pid, (Patient p) -> p.addName().setFamily("Changed")));
			writes.add(() -> update(noted, (Observation o) -> o.addNote().setText("Changed")));
			writes.add(() -> update(heartRate, (Observation o) -> o.getCode().getCodingFirstRep().setCode("9279-1")));
			writes.add(() -> update(movedOut, (Observation o) -> o.setSubject(new Reference("Patient/" + outsider))));
			if (i < 6) {
				// Into a member's compartment after the transaction time: not exported for that member.
				String movedIn = "Observation/obs-" + outsider + "-" + (i / 3) + "-" + (i % 3);
				changed.add(movedIn);
				writes.add(() -> update(movedIn, (Observation o) -> o.setSubject(new Reference("Patient/" + pid))));
			}
			writes.add(() -> {
				update(encounter, (org.hl7.fhir.r4.model.Encounter e) -> e.setLanguage("en"));
				update(encounter, (org.hl7.fhir.r4.model.Encounter e) -> e.setLanguage("de"));
			});
			writes.add(() -> update(provenance, (Provenance p) -> p.setRecorded(new Date())));
			writes.add(() -> delete(report, "Provenance/prov-dr-" + pid + "-1"));
			writes.add(() -> delete(condition, "Provenance/prov-cond-" + pid + "-1"));
			writes.add(() -> {
				Observation created = new Observation();
				created.setId("new-" + pid);
				created.setStatus(Observation.ObservationStatus.FINAL);
				created.setCode(new CodeableConcept().addCoding(
						new org.hl7.fhir.r4.model.Coding("http://loinc.org", "8867-4", "Heart rate")));
				created.setSubject(new Reference("Patient/" + pid));
				client.put(created);
				client.put(provenance("prov-new-" + pid, "Observation/new-" + pid, "Patient/" + pid));
			});
		}
		ExecutorService pool = Executors.newFixedThreadPool(4);
		List<Future<?>> done = new ArrayList<>();
		for (Callable write : writes) {
			done.add(pool.submit(() -> {
				write.call();
				return null;
			}));
		}
		for (Future<?> future : done) {
			future.get();
		}
		pool.shutdown();
		assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		return changed;
	}

	private interface Callable {
		void call() throws Exception;
	}

	@SuppressWarnings("unchecked")
	private <T extends Resource> void update(String reference, java.util.function.Consumer<T> change) throws Exception {
		T resource = (T) BulkClient.FHIR.newJsonParser().parseResource(client.read(reference));
		change.accept(resource);
		client.put(resource);
	}

	/** Deletes resources in one transaction (a target and the Provenance that references it). */
	private void delete(String... references) throws Exception {
		Bundle bundle = new Bundle();
		bundle.setType(Bundle.BundleType.TRANSACTION);
		for (String reference : references) {
			bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(reference);
		}
		client.transaction(bundle);
	}

	/** Lines of an export by "Type/id", and any "Type/id" seen twice. */
	private record Exported(Map<String, String> lines, List<String> duplicates) {}

	private Exported lines(JsonNode manifest) throws Exception {
		assertThat(manifest.get("error")).isEmpty();
		Map<String, String> lines = new LinkedHashMap<>();
		List<String> duplicates = new ArrayList<>();
		for (JsonNode output : manifest.get("output")) {
			for (String line : client.download(output.get("url").asText())) {
				JsonNode json = BulkClient.JSON.readTree(line);
				String reference = json.get("resourceType").asText() + "/" + json.get("id").asText();
				if (lines.put(reference, line) != null) {
					duplicates.add(reference);
				}
			}
		}
		return new Exported(lines, duplicates);
	}

	/** Runs an export to completion (every chunk is held, and the machine may be shared). */
	private JsonNode export(String export) throws Exception {
		HttpResponse<String> done = client.poll(client.start(export), TIMEOUT);
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		return BulkClient.JSON.readTree(done.body());
	}

	private String base() {
		return "http://localhost:" + port + "/fhir";
	}
}
