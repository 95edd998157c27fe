package org.bulkfhir.output;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.server.sample.SampleData;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ReadFidelity;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.bulkfhir.support.TestPort;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAPI's other tag storage modes, each on a server of its own with a small population: NON_VERSIONED
 * (one set of tags per resource, in HFJ_RES_TAG) is spliced like VERSIONED; INLINE (tags in the
 * stored text's meta) is read through HAPI's batch loader. Either way every exported resource equals
 * HAPI's read of it.
 */
class TagStorageModeFidelityTest {

	private static final int PATIENTS = 6;

	abstract static class ModeServer {

		@LocalServerPort
		int port;

		BulkClient client;
		TestApps apps;
		boolean loaded;

		@BeforeEach
		void load() throws Exception {
			String base = "http://localhost:" + port + "/fhir";
			apps = new TestApps(base);
			client = new BulkClient(base).withToken(apps.readWriteTokens());
			if (!loaded) {
				client.transaction(SampleData.sharedResources());
				for (int i = 0; i < PATIENTS; i++) {
					client.transaction(SampleData.patient(i, 2));
				}
				loaded = true;
			}
		}

		/** Exports everything, compares it with HAPI's read; returns how many resources HAPI read. */
		int exportEverythingAndCompare() throws Exception {
			String status = client.start("$export?_type=AllergyIntolerance,Condition,DiagnosticReport,Encounter,"
					+ "Immunization,Location,Medication,MedicationRequest,Observation,Organization,Patient,Practitioner,"
					+ "PractitionerRole,Procedure,Provenance");
			HttpResponse<String> done = client.poll(status, Duration.ofSeconds(120));
			assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
			ReadFidelity.Compared compared =
					ReadFidelity.compareEveryResource(client, BulkClient.JSON.readTree(done.body()));
			assertThat(compared.lines()).filteredOn(l -> l.contains("\"profile\":[")).hasSizeGreaterThan(compared.resources() * 3 / 4);
			assertThat(compared.lines()).filteredOn(l -> l.contains("\"security\":[")).isNotEmpty();
			assertThat(compared.lines()).as("a meta with an extension, equal to HAPI's read")
					.filteredOn(l -> l.contains("StructureDefinition/last-reconciled")).isNotEmpty();
			String jobId = status.substring(status.indexOf("_jobId=") + 7);
			JsonNode detail = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + jobId, null, 200));
			return detail.get("readByHapi").asInt();
		}
	}

	@Nested
	@SpringBootTest(
			classes = BulkFhirServerApplication.class,
			webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
			properties = {"bulkfhir.server.tag-storage-mode=NON_VERSIONED", "bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD})
	class NonVersioned extends ModeServer {

		@DynamicPropertySource
		static void database(DynamicPropertyRegistry registry) {
			TestPort.register(registry);
			TestDatabase.register(registry, Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath());
		}

		@Test
		void tagsFromTheResourceTableAreSplicedLikeHapisRead() throws Exception {
			// None needs HAPI: the meta-extension AllergyIntolerance (patient 3) is spliced after its extensions.
			assertThat(exportEverythingAndCompare()).isZero();
		}
	}

	@Nested
	@SpringBootTest(
			classes = BulkFhirServerApplication.class,
			webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
			properties = {"bulkfhir.server.tag-storage-mode=INLINE", "bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD})
	class Inline extends ModeServer {

		@DynamicPropertySource
		static void database(DynamicPropertyRegistry registry) {
			TestPort.register(registry);
			TestDatabase.register(registry, Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath());
		}

		@Test
		void tagsInTheStoredTextAreReadByHapiInBatches() throws Exception {
			// Every resource with a profile, tag or security label keeps its meta in the stored text.
			assertThat(exportEverythingAndCompare()).isGreaterThan(PATIENTS * 30);
		}
	}
}
