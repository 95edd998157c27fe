package org.bulkfhir.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestApps.App;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAR's whole FHIR API, not only bulk export, is behind SMART Backend Services tokens, and a
 * token reaches exactly what its {@code system/} scopes allow (SMART v1 and v2 syntax).
 */
class FhirApiProtectionTest extends ServerTestBase {

	private static final String FHIR_JSON = "application/fhir+json";

	@Test
	void metadataAndTheSmartEndpointsAreOpen() throws Exception {
		BulkClient anonymous = new BulkClient(base());
		assertThat(status(anonymous, anonymous.request("metadata").GET().build())).isEqualTo(200);
		assertThat(status(anonymous, anonymous.request(".well-known/smart-configuration").GET().build())).isEqualTo(200);
	}

	@Test
	void withoutAValidTokenNothingIsReadOrWritten() throws Exception {
		String observation = anyId("Observation");
		String family = "Anonymous" + UUID.randomUUID().toString().substring(0, 8);
		for (String token : new String[] {null, "garbage"}) {
			BulkClient caller = new BulkClient(base()).withToken(() -> token);
			for (HttpRequest request : List.of(
					caller.request("Patient").GET().build(),
					caller.request("Observation/" + observation).GET().build(),
					caller.request("Observation/" + observation + "/_history").GET().build(),
					caller.request("Observation?_id=" + observation).GET().build(),
					caller.request(base()).POST(fhir(transaction(patient(family)))).header("Content-Type", FHIR_JSON).build(),
					caller.request("Patient").POST(fhir(patient(family))).header("Content-Type", FHIR_JSON).build(),
					caller.request("Observation/" + observation).DELETE().build())) {
				HttpResponse<String> response = caller.send(request);
				assertThat(response.statusCode()).as(token + " " + request.method() + " " + request.uri()).isEqualTo(401);
				assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
				assertThat(response.body()).contains("OperationOutcome").doesNotContain(family);
			}
		}
		assertThat(searchTotal("Patient?family=" + family)).as("nothing was created").isZero();
		assertThat(status(client, client.request("Observation/" + observation).GET().build())).isEqualTo(200);
	}

	@Test
	void patientAndUserAppsAreRefusedOnTheFhirApi() throws Exception {
		for (String appType : List.of("patient", "user")) {
			String scope = appType + "/*.read";
			BulkClient caller = new BulkClient(base()).withToken(apps.tokens(apps.register(appType, scope), scope));
			HttpResponse<String> response = caller.send(caller.request("Observation").GET().build());
			assertThat(response.statusCode()).as(appType).isEqualTo(403);
			assertThat(response.body()).contains("OperationOutcome").contains("System applications");
		}
	}

	@Test
	void aReadScopeOfOneTypeReadsThatTypeOnly() throws Exception {
		String observation = anyId("Observation");
		String patient = anyId("Patient");
		for (String scope : List.of("system/Observation.read", "system/Observation.rs")) {
			BulkClient caller = caller(scope);
			assertThat(status(caller, caller.request("Observation?_count=5").GET().build())).as(scope).isEqualTo(200);
			assertThat(status(caller, caller.request("Observation/" + observation).GET().build())).isEqualTo(200);
			assertThat(status(caller, caller.request("Observation/" + observation + "/_history").GET().build()))
					.isEqualTo(200);
			assertForbidden(caller, caller.request("Patient").GET().build());
			assertForbidden(caller, caller.request("Patient/" + patient).GET().build());
			assertForbidden(caller, caller.request("Observation?_id=" + observation + "&_include=Observation:subject")
					.GET().build());
			assertForbidden(caller, caller.request("Observation").POST(fhir(observation(patient)))
					.header("Content-Type", FHIR_JSON).build());
			assertForbidden(caller, caller.request("Observation/" + observation).DELETE().build());
		}
	}

	@Test
	void smartV2TellsReadingFromSearching() throws Exception {
		String observation = anyId("Observation");
		BulkClient readOnly = caller("system/Observation.r");
		assertThat(status(readOnly, readOnly.request("Observation/" + observation).GET().build())).isEqualTo(200);
		assertForbidden(readOnly, readOnly.request("Observation?_count=5").GET().build());

		BulkClient searchOnly = caller("system/Observation.s");
		assertThat(status(searchOnly, searchOnly.request("Observation?_count=5").GET().build())).isEqualTo(200);
		assertForbidden(searchOnly, searchOnly.request("Observation/" + observation).GET().build());
	}

	@Test
	void writeScopesAllowExactlyTheirInteractions() throws Exception {
		BulkClient creator = caller("system/Patient.c");
		String created = create(creator, patient("Created"));
		assertForbidden(creator, put(creator, created, patient("Updated")));
		assertForbidden(creator, creator.request("Patient/" + created).DELETE().build());
		assertForbidden(creator, creator.request("Patient/" + created).GET().build());

		BulkClient updater = caller("system/Patient.u");
		assertForbidden(updater, updater.request("Patient").POST(fhir(patient("Refused")))
				.header("Content-Type", FHIR_JSON).build());
		assertThat(status(updater, put(updater, created, patient("Updated")))).isEqualTo(200);
		assertForbidden(updater, updater.request("Patient/" + created).DELETE().build());

		BulkClient writer = caller("system/Patient.write");
		assertThat(status(writer, put(writer, created, patient("Rewritten")))).isEqualTo(200);
		assertThat(status(writer, writer.request("Patient/" + created).DELETE().build())).isEqualTo(200);
		assertForbidden(writer, writer.request("Observation").POST(fhir(observation(created)))
				.header("Content-Type", FHIR_JSON).build());
	}

	@Test
	void aTransactionNeedsTheScopesOfEveryEntry() throws Exception {
		String family = "Txn" + UUID.randomUUID().toString().substring(0, 8);
		Patient patient = patient(family);
		patient.setId(UUID.randomUUID().toString());
		Bundle both = transaction(patient, observation(patient.getIdElement().getIdPart()));

		BulkClient patientsOnly = caller("system/Patient.write system/Patient.read");
		assertForbidden(patientsOnly, patientsOnly.request(base()).POST(fhir(both)).header("Content-Type", FHIR_JSON).build());
		assertThat(searchTotal("Patient?family=" + family)).as("all or nothing").isZero();

		BulkClient writer = caller("system/Patient.write system/Observation.write");
		HttpResponse<String> done = writer.send(writer.request(base()).POST(fhir(both)).header("Content-Type", FHIR_JSON).build());
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		assertThat(searchTotal("Patient?family=" + family)).isEqualTo(1);

		// The server's data is shared with the export tests, which count every resource: the
		// Observation goes first, as HAPI refuses to delete a Patient that is still referenced.
		List<String> created = new java.util.ArrayList<>();
		BulkClient.JSON.readTree(done.body()).get("entry").forEach(entry ->
				created.add(0, entry.get("response").get("location").asText().replaceAll("/_history/.*", "")));
		for (String location : created) {
			assertThat(status(writer, writer.request(location).DELETE().build())).as(location).isEqualTo(200);
		}
	}

	@Test
	void validateNeedsAReadOfItsType() throws Exception {
		String patient = anyId("Patient");
		BulkClient observations = caller("system/Observation.read");
		assertForbidden(observations, observations.request("Patient/" + patient + "/$validate").GET().build());
		assertForbidden(observations, observations.request("Patient/$validate").POST(fhir(patient("Valid")))
				.header("Content-Type", FHIR_JSON).build());
		BulkClient patients = caller("system/Patient.read");
		HttpResponse<String> valid = patients.send(patients.request("Patient/$validate").POST(fhir(patient("Valid")))
				.header("Content-Type", FHIR_JSON).build());
		assertThat(valid.statusCode()).as(valid.body()).isEqualTo(200);
	}

	@Test
	void operationsOtherThanBulkAndEverythingAreRefused() throws Exception {
		BulkClient everything = caller("system/*.*");
		assertForbidden(everything, everything.request("$expunge").POST(fhir(new org.hl7.fhir.r4.model.Parameters()))
				.header("Content-Type", FHIR_JSON).build());
		assertForbidden(everything, everything.request("Patient/$meta").GET().build());
		assertThat(status(everything, everything.request("Patient/" + anyId("Patient") + "/$everything").GET().build()))
				.isEqualTo(200);
	}

	private BulkClient caller(String scopes) throws Exception {
		App app = apps.register("system", scopes);
		return new BulkClient(base()).withToken(apps.tokens(app, scopes));
	}

	private String anyId(String type) throws Exception {
		JsonNode bundle = BulkClient.JSON.readTree(client.read(type + "?_count=1"));
		return bundle.get("entry").get(0).get("resource").get("id").asText();
	}

	/** A fresh count: HAPI would otherwise answer a repeated search from its cache. */
	private int searchTotal(String query) throws Exception {
		HttpResponse<String> response = client.send(
				client.request(query + "&_summary=count").header("Cache-Control", "no-cache").GET().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return BulkClient.JSON.readTree(response.body()).get("total").asInt();
	}

	private static int status(BulkClient caller, HttpRequest request) throws Exception {
		return caller.send(request).statusCode();
	}

	private static void assertForbidden(BulkClient caller, HttpRequest request) throws Exception {
		HttpResponse<String> response = caller.send(request);
		assertThat(response.statusCode()).as(request.method() + " " + request.uri() + ": " + response.body())
				.isEqualTo(403);
		assertThat(response.body()).contains("OperationOutcome");
	}

	private static String create(BulkClient caller, Resource resource) throws Exception {
		HttpResponse<String> response = caller.send(caller.request(resource.fhirType()).POST(fhir(resource))
				.header("Content-Type", FHIR_JSON).build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return BulkClient.JSON.readTree(response.body()).get("id").asText();
	}

	private static HttpRequest put(BulkClient caller, String patientId, Patient patient) {
		patient.setId(patientId);
		return caller.request("Patient/" + patientId).PUT(fhir(patient)).header("Content-Type", FHIR_JSON).build();
	}

	private static Patient patient(String family) {
		Patient patient = new Patient();
		patient.addName().setFamily(family);
		return patient;
	}

	private static Observation observation(String patientId) {
		Observation observation = new Observation();
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getCode().setText("test");
		observation.setSubject(new Reference("Patient/" + patientId));
		return observation;
	}

	private static Bundle transaction(Resource... resources) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Resource resource : resources) {
			Bundle.BundleEntryComponent entry = bundle.addEntry().setResource(resource);
			if (resource.hasId()) {
				String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
				entry.setFullUrl(url).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
			} else {
				entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(resource.fhirType());
			}
		}
		return bundle;
	}

	private static HttpRequest.BodyPublisher fhir(Resource resource) {
		return HttpRequest.BodyPublishers.ofString(BulkClient.FHIR.newJsonParser().encodeResourceToString(resource));
	}
}
