package org.bulkfhir.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.JWK;
import org.bulkfhir.support.JwksServer;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.WarProcess;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks of the ONC/Inferno "Bulk Data Access v2.0.0" kit, run against the packaged WAR as a
 * separate process, with a System client whose keys the server fetches from a JWKS URL served
 * here. docs/conformance.md maps each kit test to a method below.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConformanceIT {

	private static final int BULK_TIMEOUT_SECONDS = 180;

	private static WarProcess server;
	private static JwksServer jwksServer;
	private static TestApps apps;
	private static TestApps.App app;
	private static String token;
	/** When the token was issued and how long it lives: every export level must be done with it by then. */
	private static long tokenIssued;
	private static long tokenLifetimeMillis;
	private static long suiteStart;
	private static final R4Validator VALIDATOR = new R4Validator(BulkClient.FHIR);

	@BeforeAll
	static void startServer() throws Exception {
		suiteStart = System.currentTimeMillis();
		Path dataDir = Path.of("target", "test-data", "conformance-" + UUID.randomUUID()).toAbsolutePath();
		server = new WarProcess(dataDir, List.of(
				"--bulkfhir.sample-data.patients=12",
				"--bulkfhir.sample-data.encounters=2",
				"--bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
				// The test app publishes its keys with JwksServer, over http on loopback.
				"--bulkfhir.auth.allow-loopback-jwks-uri=true")).start();
		JWK key = TestApps.ecKey();
		jwksServer = new JwksServer(key);
		apps = new TestApps(server.base());
		app = apps.registerWithJwksUri(jwksServer.url(), key);
		BulkClient reader = new BulkClient(server.base()).withToken(apps.tokens(app, "system/*.read"));
		long deadline = System.currentTimeMillis() + 120_000;
		while (reader.send(reader.request("Group/all").GET().build()).statusCode() != 200) {
			assertThat(System.currentTimeMillis()).as("sample data loaded").isLessThan(deadline);
			Thread.sleep(500);
		}
		// The validator loads FHIR's definitions on first use; that is the test's cost, not the export's.
		VALIDATOR.errors(new org.hl7.fhir.r4.model.Patient());
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (jwksServer != null) {
			jwksServer.close();
		}
		if (server != null) {
			server.close();
		}
		if (suiteStart > 0) {
			System.out.println("Conformance suite took " + (System.currentTimeMillis() - suiteStart) / 1000 + " s");
		}
	}

	// 1.1 SMART discovery

	@Test
	@Order(1)
	void wellKnownEndpoint() throws Exception {
		HttpResponse<String> response = client(null).send(HttpRequest.newBuilder(
						URI.create(server.base() + "/.well-known/smart-configuration"))
				.header("Accept", "application/json").build());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
		JsonNode doc = BulkClient.JSON.readTree(response.body());
		assertThat(doc.get("token_endpoint").asText()).matches("https?://.*").isEqualTo(apps.tokenUrl());
		assertThat(doc.get("token_endpoint_auth_methods_supported").toString()).contains("private_key_jwt");
		assertThat(doc.get("token_endpoint_auth_signing_alg_values_supported").toString()).containsAnyOf("RS384", "ES384");
		assertThat(doc.get("scopes_supported").isArray()).isTrue();
	}

	// 1.2 Backend services authorization

	@Test
	@Order(2)
	void invalidGrantTypeIs400() throws Exception {
		Map<String, String> form = new HashMap<>(apps.form(assertion(), "system/*.read"));
		form.put("grant_type", "not_a_grant_type");
		assertThat(apps.tokenRequest(form).statusCode()).isEqualTo(400);
	}

	@Test
	@Order(3)
	void invalidClientAssertionTypeIs400Or401() throws Exception {
		Map<String, String> form = new HashMap<>(apps.form(assertion(), "system/*.read"));
		form.put("client_assertion_type", "not_an_assertion_type");
		assertThat(apps.tokenRequest(form).statusCode()).isIn(400, 401);
	}

	@Test
	@Order(4)
	void successfulTokenRequestAndResponseBody() throws Exception {
		HttpResponse<String> response = apps.tokenRequest(apps.form(assertion(), "system/*.read"));
		assertThat(response.statusCode()).isIn(200, 201);
		JsonNode body = BulkClient.JSON.readTree(response.body());
		assertThat(body.get("access_token").asText()).isNotBlank();
		assertThat(body.get("token_type").asText()).isEqualToIgnoringCase("bearer");
		assertThat(body.get("expires_in").isNumber()).isTrue();
		assertThat(body.get("scope").asText()).isNotBlank();
		token = body.get("access_token").asText();
		tokenIssued = System.currentTimeMillis();
		tokenLifetimeMillis = body.get("expires_in").asLong() * 1000;
	}

	// 2.x export groups, for the three levels

	@ParameterizedTest
	@Order(5)
	@ValueSource(strings = {"Group/all/$export", "Patient/$export", "$export"})
	void exportLevel(String kickOff) throws Exception {
		BulkClient authorized = client(token);
		BulkClient anonymous = client(null);

		// X.1.01 operation support
		assertThat(authorized.read("metadata")).contains(kickOff.startsWith("Group")
				? "OperationDefinition/group-export"
				: kickOff.startsWith("Patient") ? "OperationDefinition/patient-export" : "OperationDefinition/export");

		// X.1.02 no-auth kick-off rejected with 400 or 401 (never 403)
		assertThat(anonymous.kickOff(kickOff).statusCode()).isIn(400, 401);

		// X.1.03 kick-off
		long start = System.currentTimeMillis();
		HttpResponse<String> kicked = authorized.kickOff(kickOff);
		assertThat(kicked.statusCode()).isEqualTo(202);
		String status = kicked.headers().firstValue("content-location").orElseThrow();
		assertThat(status).matches("https?://.*");

		// X.1.04 status check with Retry-After honoured
		HttpResponse<String> done = pollLikeInferno(authorized, status);
		assertThat(done.statusCode()).isEqualTo(200);
		long seconds = (System.currentTimeMillis() - start) / 1000;
		assertThat(seconds).as("kick-off to manifest far inside the kit's 180 s").isLessThan(BULK_TIMEOUT_SECONDS / 2);
		assertThat(done.headers().firstValue("Content-Type").orElse("")).contains("application/json");
		JsonNode manifest = BulkClient.JSON.readTree(done.body());
		for (String key : List.of("transactionTime", "request", "requiresAccessToken", "output", "error")) {
			assertThat(manifest.has(key)).as(key).isTrue();
		}
		assertThat(manifest.get("requiresAccessToken").asBoolean()).isTrue();

		// X.1.05 output check
		JsonNode output = manifest.get("output");
		assertThat(output).isNotEmpty();
		for (JsonNode file : output) {
			assertThat(file.has("type")).isTrue();
			assertThat(file.get("url").asText()).matches("https?://.*");
		}

		// X.2.02 download without a token rejected
		String firstUrl = output.get(0).get("url").asText();
		HttpResponse<String> noToken = anonymous.send(HttpRequest.newBuilder(URI.create(firstUrl))
				.header("Accept", "application/fhir+ndjson").build());
		assertThat(noToken.statusCode()).isIn(400, 401);

		// X.2.03 valid resources, X.2.04 at least two patients
		Set<String> patients = new TreeSet<>();
		List<String> invalid = new ArrayList<>();
		int validated = 0;
		for (JsonNode file : output) {
			HttpResponse<String> download = authorized.send(HttpRequest.newBuilder(URI.create(file.get("url").asText()))
					.header("Accept", "application/fhir+ndjson")
					.header("Authorization", "Bearer " + token).build());
			assertThat(download.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+ndjson");
			String[] lines = download.body().split("\n");
			for (int i = 0; i < lines.length; i++) {
				assertThat(lines[i]).as("line %d of %s is not blank", i + 1, file.get("url").asText()).isNotBlank();
				IBaseResource resource = BulkClient.FHIR.newJsonParser().parseResource(lines[i]);
				assertThat(resource.fhirType()).isEqualTo(file.get("type").asText());
				if (resource.fhirType().equals("Patient")) {
					patients.add(resource.getIdElement().getIdPart());
				}
				List<String> errors = VALIDATOR.errors(resource);
				if (!errors.isEmpty()) {
					invalid.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart() + ": " + errors);
				}
				validated++;
			}
		}
		assertThat(invalid).as("%d resources validated", validated).isEmpty();
		assertThat(patients.size()).isGreaterThanOrEqualTo(2);

		// X.3.01 cancel, X.3.02 polling a cancelled export gives 404 + OperationOutcome
		String cancelled = authorized.start(kickOff);
		assertThat(authorized.send(authorized.request(cancelled).header("Accept", "application/json").DELETE().build())
				.statusCode()).isEqualTo(202);
		HttpResponse<String> gone = authorized.send(authorized.request(cancelled).header("Accept", "application/json").GET().build());
		assertThat(gone.statusCode()).isEqualTo(404);
		IBaseResource outcome = BulkClient.FHIR.newJsonParser().parseResource(gone.body());
		assertThat(outcome.fhirType()).isEqualTo("OperationOutcome");
		assertThat(VALIDATOR.errors(outcome)).isEmpty();

		// X.4.01 _outputFormat variants, X.4.02 _since
		String separator = kickOff.contains("?") ? "&" : "?";
		List<String> variants = new ArrayList<>();
		for (String format : List.of("application/fhir+ndjson", "application/ndjson", "ndjson")) {
			variants.add("_outputFormat=" + URLEncoder.encode(format, StandardCharsets.UTF_8));
		}
		String weekAgo = OffsetDateTime.now(ZoneOffset.UTC).minusWeeks(1).withNano(0)
				.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replace("Z", "+00:00");
		variants.add("_since=" + URLEncoder.encode(weekAgo, StandardCharsets.UTF_8));
		for (String variant : variants) {
			HttpResponse<String> response = authorized.kickOff(kickOff + separator + variant);
			assertThat(response.statusCode()).as(variant).isEqualTo(202);
			String url = response.headers().firstValue("content-location").orElseThrow();
			if (variant.startsWith("_since")) {
				// Beyond the kit, IG v2 "Response - Complete Status": with _since, a deleted array of Bundle files.
				HttpResponse<String> incremental = pollLikeInferno(authorized, url);
				assertThat(incremental.statusCode()).isEqualTo(200);
				JsonNode deleted = BulkClient.JSON.readTree(incremental.body()).get("deleted");
				assertThat(deleted).as("deleted").isNotNull();
				assertThat(deleted.isArray()).isTrue();
				deleted.forEach(file -> assertThat(file.get("type").asText()).isEqualTo("Bundle"));
			}
			assertThat(authorized.send(authorized.request(url).DELETE().build()).statusCode()).isEqualTo(202);
		}

		// Beyond the kit, STU3 ballot kick-off parameter allowPartialManifests (boolean): pages linked by
		// link/next; a value that is not a boolean is refused naming the parameter.
		String pagedStatus = authorized.start(kickOff + separator + "allowPartialManifests=true");
		HttpResponse<String> paged = pollLikeInferno(authorized, pagedStatus);
		assertThat(paged.statusCode()).isEqualTo(200);
		JsonNode page = BulkClient.JSON.readTree(paged.body());
		for (String key : List.of("transactionTime", "request", "requiresAccessToken", "output", "error")) {
			assertThat(page.has(key)).as(key).isTrue();
		}
		if (page.has("link")) {
			assertThat(page.get("link").get(0).get("relation").asText()).isEqualTo("next");
			assertThat(page.get("link").get(0).get("url").asText()).matches("https?://.*");
		}
		assertThat(authorized.send(authorized.request(pagedStatus).DELETE().build()).statusCode()).isEqualTo(202);
		HttpResponse<String> notBoolean = authorized.kickOff(kickOff + separator + "allowPartialManifests=maybe");
		assertThat(notBoolean.statusCode()).isEqualTo(400);
		assertThat(BulkClient.FHIR.newJsonParser().parseResource(notBoolean.body()).fhirType())
				.isEqualTo("OperationOutcome");
		assertThat(notBoolean.body()).contains("allowPartialManifests");

		System.out.println("Conformance " + kickOff + ": manifest in " + seconds + " s, " + validated
				+ " resources validated, " + (System.currentTimeMillis() - tokenIssued) / 1000 + " s into the token's life");
		// Inferno uses one token for the whole group: the requests above must all have been made with it alive.
		assertThat(System.currentTimeMillis() - tokenIssued).as("the export levels inside one token lifetime")
				.isLessThan(tokenLifetimeMillis);
	}

	// The IG's patient and _elements parameters (Bulk Data v2.0.0, export, "Query Parameters" and "Group
	// Membership Request Pattern"); the kit does not send them. Cut resources must stay valid R4.

	@Test
	@Order(6)
	void groupMembershipPatternWithPatientAndElementsGivesValidResources() throws Exception {
		BulkClient authorized = client(token);

		// _type=Patient&_elements=id: ids only, SUBSETTED, still valid R4 (no rule of Patient needs more)
		List<IBaseResource> idsOnly =
				downloadValid(authorized, authorized.export("Group/all/$export?_type=Patient&_elements=id"), false);
		assertThat(idsOnly).hasSizeGreaterThanOrEqualTo(2);
		for (IBaseResource patient : idsOnly) {
			assertThat(patient.getMeta().getTag("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "SUBSETTED"))
					.isNotNull();
		}

		// POST patient for two members, with an _elements entry that cuts every type
		List<String> chosen = idsOnly.stream().limit(2).map(r -> r.getIdElement().getIdPart()).toList();
		String body = "{\"resourceType\":\"Parameters\",\"parameter\":["
				+ "{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/" + chosen.get(0) + "\"}},"
				+ "{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/" + chosen.get(1) + "\"}},"
				+ "{\"name\":\"_elements\",\"valueString\":\"status,subject,patient\"}]}";
		// Cut resources keep every element the base definition makes mandatory; the invariants and profiles
		// they declare (ait-1, vitalsigns) may need elements that were cut, as the SUBSETTED tag warns.
		List<IBaseResource> subset = downloadValid(authorized, authorized.exportPost("Group/all/$export", body), true);
		Set<String> patients = new TreeSet<>();
		subset.stream().filter(r -> r.fhirType().equals("Patient")).forEach(r -> patients.add(r.getIdElement().getIdPart()));
		assertThat(patients).containsExactlyInAnyOrderElementsOf(chosen);
		assertThat(subset).allMatch(r -> r.getMeta().getTag(
				"http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "SUBSETTED") != null);
	}

	// STU3 (v3.0.0 ballot) "Bulk Data Output File Organization" and the kick-off parameter organizeOutputBy;
	// the kit does not send it. Every line, the header Parameters too, must be valid R4.

	@Test
	@Order(7)
	void organizeOutputByPatientGivesValidPatientBlocks() throws Exception {
		BulkClient authorized = client(token);
		JsonNode manifest = authorized.export("Group/all/$export?organizeOutputBy=Patient");

		// Manifest: outputOrganizedBy; output entries without type (SHALL NOT), continuesInFile an absolute URL
		// of another output file of the manifest.
		assertThat(manifest.get("outputOrganizedBy").asText()).isEqualTo("Patient");
		Set<String> urls = new TreeSet<>();
		manifest.get("output").forEach(file -> urls.add(file.get("url").asText()));
		Set<String> patients = new TreeSet<>();
		List<String> invalid = new ArrayList<>();
		for (JsonNode file : manifest.get("output")) {
			assertThat(file.has("type")).isFalse();
			if (file.has("continuesInFile")) {
				assertThat(file.get("continuesInFile").asText()).matches("https?://.*").isIn(urls);
			}
			List<String> lines = authorized.download(file.get("url").asText());
			String header = null;
			for (String line : lines) {
				IBaseResource resource = BulkClient.FHIR.newJsonParser().parseResource(line);
				if (resource instanceof org.hl7.fhir.r4.model.Parameters parameters) {
					// A block: a header Parameters with one parameter "header", a reference to the Patient.
					assertThat(parameters.getParameter()).hasSize(1);
					header = ((org.hl7.fhir.r4.model.Reference) parameters.getParameter("header").getValue())
							.getReference();
					assertThat(header).startsWith("Patient/");
				} else {
					assertThat(header).as("a resource before any header").isNotNull();
					if (resource.fhirType().equals("Patient")) {
						assertThat("Patient/" + resource.getIdElement().getIdPart()).isEqualTo(header);
						patients.add(header);
					}
				}
				List<String> errors = VALIDATOR.errors(resource);
				if (!errors.isEmpty()) {
					invalid.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart() + ": " + errors);
				}
			}
		}
		assertThat(invalid).isEmpty();
		assertThat(patients.size()).isGreaterThanOrEqualTo(2);

		// A Data Provider unable to organize by the requested type SHOULD return an OperationOutcome error.
		HttpResponse<String> refused = authorized.kickOff("Group/all/$export?organizeOutputBy=Encounter");
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(BulkClient.FHIR.newJsonParser().parseResource(refused.body()).fhirType()).isEqualTo("OperationOutcome");
		assertThat(refused.body()).contains("organizeOutputBy");
		assertThat(authorized.kickOff("$export?organizeOutputBy=Patient").statusCode()).isEqualTo(400);
	}

	/**
	 * Every resource of the manifest, each checked to be valid R4, or with {@code baseCardinalityOnly}
	 * to have every element its base definition requires.
	 */
	private List<IBaseResource> downloadValid(BulkClient client, JsonNode manifest, boolean baseCardinalityOnly)
			throws Exception {
		List<IBaseResource> resources = new ArrayList<>();
		List<String> invalid = new ArrayList<>();
		for (JsonNode file : manifest.get("output")) {
			for (String line : client.download(file.get("url").asText())) {
				IBaseResource resource = BulkClient.FHIR.newJsonParser().parseResource(line);
				String base = "(from http://hl7.org/fhir/StructureDefinition/" + resource.fhirType();
				List<String> errors = VALIDATOR.errors(resource).stream()
						.filter(e -> !baseCardinalityOnly || (e.contains("minimum required") && e.contains(base)))
						.toList();
				if (!errors.isEmpty()) {
					invalid.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart() + ": " + errors);
				}
				resources.add(resource);
			}
		}
		assertThat(invalid).as("%d resources validated", resources.size()).isEmpty();
		return resources;
	}

	/** Inferno's loop: wait Retry-After seconds (or double from 1) until not 202 or 180 s pass. */
	private static HttpResponse<String> pollLikeInferno(BulkClient client, String url) throws Exception {
		long deadline = System.currentTimeMillis() + BULK_TIMEOUT_SECONDS * 1000L;
		int wait = 1;
		while (true) {
			HttpResponse<String> response = client.send(client.request(url).header("Accept", "application/json").GET().build());
			if (response.statusCode() != 202 || System.currentTimeMillis() + wait * 1000L > deadline) {
				return response;
			}
			int retryAfter = Integer.parseInt(response.headers().firstValue("Retry-After").orElse("0"));
			wait = retryAfter > 0 ? retryAfter : wait * 2;
			Thread.sleep(wait * 1000L);
		}
	}

	private static BulkClient client(String bearer) {
		return new BulkClient(server.base()).withToken(() -> bearer);
	}

	private static String assertion() throws Exception {
		return apps.assertion(app, apps.claims(app).build(), apps.header(app).build());
	}
}
