package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bulkfhir.output.FhirJsonToXml.NotConvertibleException;
import org.bulkfhir.output.FhirJsonToXml.RootResource;
import org.bulkfhir.server.sample.SampleData;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Medication;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Each resource is encoded to JSON by HAPI, converted, and the XML is checked twice: as text
 * against HAPI's own XML encoding of the same resource, and as FHIR by parsing it back (strictly)
 * and comparing it deeply with the original.
 */
class FhirJsonToXmlTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final String XHTML = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

	@Test
	void everySampleResourceConvertsExactlyAsHapiEncodesIt() {
		List<Resource> resources = sampleResources();
		assertThat(resources).hasSizeGreaterThan(100);
		for (Resource resource : resources) {
			assertConvertsLikeHapi(resource);
		}
	}

	@Test
	void patientWithExtensionsContainedResourceNarrativeAndPrimitiveExtensions() {
		Patient patient = new Patient();
		patient.setId("tricky");
		storedMeta(patient);
		patient.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString(XHTML
				+ "<p class=\"note\">A &amp; B &lt; C &gt; D &quot;q&quot; é&#160;日本</p><br/>"
				+ "<a href=\"http://example.org/?a=1&amp;b=2\">link</a>"
				+ "<table border=\"1\"><tr><td>1</td></tr></table></div>");
		Medication medication = new Medication();
		medication.setId("med1");
		medication.addExtension("http://example.org/form", new StringType("tablet"));
		medication.setCode(new CodeableConcept(new Coding("http://www.nlm.nih.gov/research/umls/rxnorm", "123", "Med")));
		patient.getContained().add(medication);
		patient.addExtension("http://example.org/escaped", new StringType("a & b < c > d \"e\"\nline\r\ttab"));
		Extension nested = patient.addExtension();
		nested.setId("ext1");
		nested.setUrl("http://example.org/nested");
		nested.addExtension("level", new DecimalType("1.50"));
		Extension deeper = nested.addExtension();
		deeper.setUrl("deeper");
		deeper.addExtension("leaf", new CodeableConcept(new Coding("http://s", "c", "C")).setText("t"));
		patient.addModifierExtension(new Extension("http://example.org/modifier", new BooleanType(true)));
		patient.addIdentifier().setSystem("http://example.org/mrn").setValue("<12&34>").setId("ident1");

		HumanName official = patient.addName().setFamily("Family").setText("Tom & \"Jerry\" <b>");
		official.setId("name1");
		official.getFamilyElement().addExtension("http://example.org/family", new IntegerType(-5));
		official.addGiven("A");
		official.getGiven().get(0).setId("given-a");
		official.getGiven().add(withExtension(new StringType(), "http://example.org/only-ext", new CodeType("x")));
		HumanName other = patient.addName();
		other.addGiven("B");
		other.getGiven().add(withExtension(new StringType("C"), "http://example.org/given", new StringType("y")));
		HumanName valueless = patient.addName();
		valueless.getPrefix().add(withExtension(new StringType(), "http://example.org/p1", new StringType("1")));
		valueless.getPrefix().add(withExtension(new StringType(), "http://example.org/p2", new StringType("2")));

		patient.getGenderElement().addExtension("http://example.org/gender-without-value", new StringType("z"));
		patient.setBirthDateElement(new DateType("1970-01-02"));
		patient.getBirthDateElement().setId("bd");
		patient.getBirthDateElement().addExtension("http://example.org/time", new DateTimeType("1970-01-02T10:00:00Z"));
		patient.setDeceased(new BooleanType(false));
		patient.addAddress(new Address().addLine("line 1\nline 2").setCity("Zürich 日本 \uD83D\uDE00 \u00A0\uFFFD"));
		ContactPoint phone = patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("+41 1");
		phone.getRankElement().setValue(1).addExtension("http://example.org/rank", new StringType("first"));
		patient.addGeneralPractitioner(new Reference("#med1").setDisplay("contained"));
		Patient.ContactComponent contact = patient.addContact();
		contact.addModifierExtension(new Extension("http://example.org/contact-modifier", new StringType("m")));
		contact.setGender(Enumerations.AdministrativeGender.OTHER);

		String xml = assertConvertsLikeHapi(patient);

		assertThat(xml).startsWith("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"tricky\"/>")
				.contains("<contained><Medication xmlns=\"http://hl7.org/fhir\"><id value=\"med1\"/>")
				.contains("<extension id=\"ext1\" url=\"http://example.org/nested\">")
				.contains("<given id=\"given-a\" value=\"A\"/><given><extension url=\"http://example.org/only-ext\">")
				.contains("<given value=\"B\"/><given value=\"C\"><extension url=\"http://example.org/given\">")
				.contains("<name><prefix><extension url=\"http://example.org/p1\">")
				.contains("<gender><extension url=\"http://example.org/gender-without-value\">")
				.contains("<birthDate id=\"bd\" value=\"1970-01-02\"><extension")
				.contains("value=\"a &amp; b &lt; c > d &quot;e&quot;&#xa;line&#xd;&#x9;tab\"")
				.contains("<valueDecimal value=\"1.50\"/>");
	}

	@Test
	void observationWithElementIdsBackboneModifierExtensionsAndDecimals() {
		Observation observation = new Observation();
		observation.setId("obs1");
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getStatusElement().addExtension("http://example.org/status", new StringType("s"));
		CodeableConcept code = new CodeableConcept().setText("text");
		code.setId("code1");
		code.addExtension("http://example.org/code", new StringType("c"));
		Coding coding = code.addCoding().setSystem("http://loinc.org").setCode("8867-4");
		coding.setId("coding1");
		observation.setCode(code);
		observation.setSubject(new Reference("Patient/p1").setDisplay("P"));
		observation.setValue(new Quantity().setValue(new BigDecimal("12.30")).setUnit("kg"));
		String[] decimals = {"1e3", "-2.5E-7", "0.000100", "123456789012345678901234567890.000", "0"};
		for (String decimal : decimals) {
			Observation.ObservationComponentComponent component = observation.addComponent();
			component.addModifierExtension(new Extension("http://example.org/modifier", new StringType(decimal)));
			component.setCode(new CodeableConcept().setText(decimal));
			component.setValue(new Quantity().setValueElement(new DecimalType(decimal)));
		}

		String xml = assertConvertsLikeHapi(observation);

		assertThat(xml).contains("<code id=\"code1\"><extension url=\"http://example.org/code\">")
				.contains("<coding id=\"coding1\">")
				.contains("<value value=\"12.30\"/>");
		for (String decimal : decimals) {
			assertThat(xml).contains("<value value=\"" + decimal + "\"/>");
		}
	}

	@Test
	void bundleEntryResourcesAreWrappedInTheirElement() {
		Bundle bundle = new Bundle();
		bundle.setId("b1");
		bundle.setType(Bundle.BundleType.COLLECTION);
		Patient patient = new Patient();
		patient.setId("p1");
		storedMeta(patient);
		patient.setActive(true);
		bundle.addEntry().setFullUrl("http://example.org/fhir/Patient/p1").setResource(patient);
		Observation observation = new Observation();
		observation.setId("o1");
		observation.setStatus(Observation.ObservationStatus.AMENDED);
		observation.getContained().add(new Medication().setStatus(Medication.MedicationStatus.ACTIVE).setId("m"));
		observation.addExtension("http://example.org/med", new Reference("#m"));
		bundle.addEntry().setFullUrl("http://example.org/fhir/Observation/o1").setResource(observation)
				.getSearch().setMode(Bundle.SearchEntryMode.MATCH).setScore(new BigDecimal("0.50"));
		Bundle inner = new Bundle().setType(Bundle.BundleType.COLLECTION);
		inner.addEntry().setResource(new Patient().setActive(false));
		bundle.addEntry().setResource(inner);

		String xml = assertConvertsLikeHapi(bundle);

		assertThat(xml).contains("<entry><fullUrl value=\"http://example.org/fhir/Patient/p1\"/><resource>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"p1\"/>")
				.contains("<resource><Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/><entry>"
						+ "<resource><Patient xmlns=\"http://hl7.org/fhir\"><active value=\"false\"/></Patient></resource>");
	}

	@Test
	void parametersParameterResourcesAndPartsAreWrapped() {
		Parameters parameters = new Parameters();
		parameters.addParameter().setName("patient").setResource(new Patient().setActive(true));
		parameters.addParameter().setName("count").setValue(new IntegerType(3));
		Parameters.ParametersParameterComponent group = parameters.addParameter().setName("group");
		group.addPart().setName("nested").setResource(new Medication().setStatus(Medication.MedicationStatus.INACTIVE));
		group.addPart().setName("flag").setValue(new BooleanType(false));

		String xml = assertConvertsLikeHapi(parameters);

		assertThat(xml).contains("<parameter><name value=\"patient\"/><resource><Patient xmlns=\"http://hl7.org/fhir\">")
				.contains("<part><name value=\"nested\"/><resource><Medication xmlns=\"http://hl7.org/fhir\">");
	}

	/**
	 * HAPI's XML encoder writes a div differently from its JSON encoder: it collapses runs of
	 * whitespace between elements and around comments to one space. The converter writes the JSON
	 * div as it is, so its XML reads back as what the JSON holds, which HAPI's XML does not. The
	 * text is therefore compared with HAPI's with both divs set aside, and the div as FHIR against
	 * HAPI's reading of the same JSON.
	 */
	@Test
	void narrativeIsTheJsonDivAsItIs() throws Exception {
		Patient patient = new Patient();
		patient.setActive(true);
		patient.getText().setStatus(Narrative.NarrativeStatus.GENERATED).setDivAsString(XHTML
				+ "\n  <p>first</p>\n  <!-- a comment -->\n  <p title=\"a &lt; b &amp; c\">second</p>\n</div>");
		String json = jsonParser().encodeResourceToString(patient);
		String hapiXml = xmlParser().encodeResourceToString(patient);

		String xml = convert(json);

		String jsonDiv = new ObjectMapper().readTree(json).at("/text/div").asText();
		assertThat(xml).contains(jsonDiv).contains("\n  <p>first</p>\n").contains("<!-- a comment -->")
				.isNotEqualTo(hapiXml);
		assertThat(withoutDiv(xml)).isEqualTo(withoutDiv(hapiXml));
		assertSameFhir(parseStrictly(xml), parseJson(json));
	}

	/** HAPI's XML encoder also puts xmlns first among the div's attributes; JSON order is kept here. */
	@Test
	void narrativeDivWhoseNamespaceIsNotItsFirstAttribute() {
		Patient patient = new Patient();
		patient.getText().setStatus(Narrative.NarrativeStatus.GENERATED)
				.setDivAsString("<div lang=\"de\" xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"de\"><p>Grüße</p></div>");
		String json = jsonParser().encodeResourceToString(patient);

		String xml = convert(json);

		assertThat(xml).contains("<div xml:lang=\"de\" xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"de\"><p>Grüße</p></div>");
		assertThat(withoutDiv(xml)).isEqualTo(withoutDiv(xmlParser().encodeResourceToString(patient)));
		assertSameFhir(parseStrictly(xml), patient);
	}

	@Test
	void attributesThatTheJsonListsAfterChildrenGoIntoTheStartTag() throws Exception {
		String json = """
				{"resourceType":"Observation",\
				"extension":[{"valueString":"v","url":"http://example.org/late-url"}],\
				"status":"final","_status":{"extension":[{"url":"http://example.org/s","valueBoolean":true}],"id":"st"},\
				"code":{"coding":[{"code":"x"}],"id":"late-id"}}""";

		String xml = convert(json);

		assertThat(xml).isEqualTo("<Observation xmlns=\"http://hl7.org/fhir\">"
				+ "<extension url=\"http://example.org/late-url\"><valueString value=\"v\"/></extension>"
				+ "<status id=\"st\" value=\"final\"><extension url=\"http://example.org/s\"><valueBoolean value=\"true\"/></extension></status>"
				+ "<code id=\"late-id\"><coding><code value=\"x\"/></coding></code>"
				+ "</Observation>");
		assertSameFhir(parseStrictly(xml), parseJson(json));
	}

	/**
	 * HAPI writes {@code "given":[null,null]} before such an {@code _given}; without it, the JSON
	 * still means the same (and HAPI's own JSON parser drops the extensions).
	 */
	@Test
	void primitiveExtensionsWithoutAnyValueInAnArrayStillYieldTheirElements() {
		Patient expected = new Patient();
		HumanName name = expected.addName().setFamily("F");
		name.getGiven().add(withExtension(new StringType(), "http://example.org/a", new StringType("a")));
		name.getGiven().add(withExtension(new StringType(), "http://example.org/b", new StringType("b")));
		name.getGiven().get(1).setId("g2");
		String json = """
				{"resourceType":"Patient","name":[{"family":"F",\
				"_given":[{"extension":[{"url":"http://example.org/a","valueString":"a"}]},{"id":"g2","extension":[{"url":"http://example.org/b","valueString":"b"}]}]}]}""";

		String xml = convert(json);

		assertThat(xml).isEqualTo("<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"F\"/>"
				+ "<given><extension url=\"http://example.org/a\"><valueString value=\"a\"/></extension></given>"
				+ "<given id=\"g2\"><extension url=\"http://example.org/b\"><valueString value=\"b\"/></extension></given>"
				+ "</name></Patient>")
				.isEqualTo(xmlParser().encodeResourceToString(expected));
		assertSameFhir(parseStrictly(xml), expected);
	}

	/** The NDJSON keeps a versioned reference; HAPI's encoder would strip its version by default. */
	@Test
	void versionedReferencesStayAsTheJsonHasThem() {
		String xml = convert("{\"resourceType\":\"Provenance\",\"target\":[{\"reference\":\"Patient/p1/_history/2\"}]}");

		assertThat(xml).contains("<target><reference value=\"Patient/p1/_history/2\"/></target>");
	}

	@Test
	void reportsTheTypeAndIdOfTheRootResourceOnly() throws Exception {
		String withContained = "{\"resourceType\":\"Observation\",\"id\":\"o-1.a\",\"contained\":"
				+ "[{\"resourceType\":\"Medication\",\"id\":\"m\"}],\"status\":\"final\"}";
		assertThat(new FhirJsonToXml().convert(withContained, new StringBuilder()))
				.isEqualTo(new RootResource("Observation", "o-1.a"));
		String withoutId = "{\"resourceType\":\"Patient\",\"contained\":[{\"resourceType\":\"Medication\",\"id\":\"m\"}]}";
		assertThat(new FhirJsonToXml().convert(withoutId, new StringBuilder()))
				.isEqualTo(new RootResource("Patient", null));
	}

	@Test
	void appendsToWhatTheBuilderAlreadyHolds() throws Exception {
		StringBuilder out = new StringBuilder("<before/>");
		FhirJsonToXml converter = new FhirJsonToXml();
		converter.convert("{\"resourceType\":\"Patient\",\"active\":true}", out);
		converter.convert("{\"resourceType\":\"Patient\",\"active\":false}", out);

		assertThat(out).hasToString("<before/>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/></Patient>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"false\"/></Patient>");
	}

	/** JSON that is not HAPI's shape of a resource: the reason it must be refused for, and the JSON. */
	static Stream<Arguments> unconvertible() {
		return Stream.of(
				arguments("Not a JSON object", "[]"),
				arguments("Not a JSON object", "\"Patient\""),
				arguments("leading resourceType", "{\"id\":\"x\"}"),
				arguments("leading resourceType", "{\"id\":\"x\",\"resourceType\":\"Patient\"}"),
				arguments("Unreadable JSON", "{\"resourceType\":\"Patient\",\"active\":true"),
				arguments("Content after", "{\"resourceType\":\"Patient\"} {}"),
				arguments("VALUE_NULL for active", "{\"resourceType\":\"Patient\",\"active\":null}"),
				arguments("Empty array name", "{\"resourceType\":\"Patient\",\"name\":[]}"),
				arguments("mixes primitives with START_ARRAY", "{\"resourceType\":\"Patient\",\"name\":[[{\"family\":\"x\"}]]}"),
				arguments("mixes objects with VALUE_NULL", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"x\"},null]}"),
				arguments("mixes primitives with START_OBJECT", "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"A\",{\"x\":1}]}]}"),
				arguments("A null in given", "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"A\",null]}]}"),
				arguments("_given is longer", "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"A\"],\"_given\":[null,{\"id\":\"x\"}]}]}"),
				arguments("_given is shorter", "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"A\",\"B\"],\"_given\":[{\"id\":\"x\"}]}]}"),
				arguments("_given is not an array", "{\"resourceType\":\"Patient\",\"name\":[{\"given\":[\"A\"],\"_given\":{\"id\":\"x\"}}]}"),
				arguments("VALUE_NULL in _given", "{\"resourceType\":\"Patient\",\"name\":[{\"_given\":[null]}]}"),
				arguments("are apart", "{\"resourceType\":\"Patient\",\"birthDate\":\"2000\",\"active\":true,\"_birthDate\":{\"id\":\"x\"}}"),
				arguments("are apart", "{\"resourceType\":\"Patient\",\"_birthDate\":{\"id\":\"x\"},\"birthDate\":\"2000\"}"),
				arguments("_birthDate is not an object", "{\"resourceType\":\"Patient\",\"birthDate\":\"2000\",\"_birthDate\":[{\"id\":\"x\"}]}"),
				arguments("are apart", "{\"resourceType\":\"Patient\",\"active\":true,\"active\":false}"),
				arguments("Unexpected value in the _ object", "{\"resourceType\":\"Patient\",\"name\":[{\"_family\":{\"value\":\"x\"}}]}"),
				arguments("U+0001", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\u0001b\"}]}"),
				arguments("U+D800", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\ud800b\"}]}"),
				arguments("U+FFFF", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\uffffb\"}]}"),
				arguments("Empty value", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\"}]}"),
				arguments("element name: na me", "{\"resourceType\":\"Patient\",\"na me\":\"x\"}"),
				arguments("element name: fam<ily", "{\"resourceType\":\"Patient\",\"name\":[{\"fam<ily\":\"x\"}]}"),
				arguments("resource type: Pat<ient", "{\"resourceType\":\"Pat<ient\"}"),
				arguments("Empty object for maritalStatus", "{\"resourceType\":\"Patient\",\"maritalStatus\":{}}"),
				arguments("url is not a string", "{\"resourceType\":\"Patient\",\"extension\":[{\"url\":{\"a\":1}}]}"),
				arguments("element name: resourceType", "{\"resourceType\":\"Patient\",\"contained\":[{\"id\":\"m\",\"resourceType\":\"Medication\"}]}"),
				arguments("not an XHTML div", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div>x</div>\"}}"),
				arguments("not an XHTML div", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div lang=\\\"en\\\">x</div>\"}}"),
				arguments("entity reference", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a&nbsp;b</div>\"}}"),
				arguments("entity reference", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a&#1;b</div>\"}}"),
				arguments("carriage return", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a\\r\\nb</div>\"}}"),
				arguments("not an XHTML div", "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a</p>\"}}"));
	}

	@ParameterizedTest
	@MethodSource("unconvertible")
	void refusesWhatItCannotConvertFaithfullyAndLeavesTheOutputAlone(String reason, String json) {
		StringBuilder out = new StringBuilder("kept");

		assertThatThrownBy(() -> new FhirJsonToXml().convert(json, out))
				.isInstanceOf(NotConvertibleException.class)
				.hasMessageContaining(reason);
		assertThat(out).hasToString("kept");
	}

	/** Converts HAPI's JSON of {@code resource}; checks the XML as text against HAPI's and as FHIR. */
	private static String assertConvertsLikeHapi(Resource resource) {
		String json = jsonParser().encodeResourceToString(resource);
		String xml = convert(json);
		assertThat(xml).as("XML of %s", json).isEqualTo(xmlParser().encodeResourceToString(resource));
		assertSameFhir(parseStrictly(xml), resource);
		return xml;
	}

	private static void assertSameFhir(Resource actual, Resource expected) {
		withBareIds(actual);
		assertThat(actual.equalsDeep(expected))
				.withFailMessage("Parsed back:%n%s%nexpected:%n%s",
						jsonParser().encodeResourceToString(actual), jsonParser().encodeResourceToString(expected))
				.isTrue();
	}

	/**
	 * HAPI's parsers qualify the id of a resource with its type, its version (meta.versionId) and,
	 * in a Bundle, the base of its fullUrl, where the resources built here hold bare ids. The text
	 * comparisons pin the ids themselves.
	 */
	private static void withBareIds(Resource resource) {
		List<IBaseResource> resources = new ArrayList<>(FHIR.newTerser().getAllEmbeddedResources(resource, true));
		resources.add(resource);
		for (IBaseResource each : resources) {
			IIdType id = each.getIdElement();
			if (id.hasIdPart() && !id.isLocal() && !id.getValue().equals(id.getIdPart())) {
				each.setId(id.getIdPart());
			}
		}
	}

	private static String convert(String json) {
		StringBuilder xml = new StringBuilder();
		try {
			new FhirJsonToXml().convert(json, xml);
		} catch (NotConvertibleException e) {
			throw new AssertionError("Not converted: " + json, e);
		}
		return xml.toString();
	}

	private static Resource parseJson(String json) {
		return (Resource) jsonParser().parseResource(json);
	}

	private static Resource parseStrictly(String xml) {
		return (Resource) FHIR.newXmlParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(xml);
	}

	/** Keeps versioned references as they are, so the resources built here survive the round trip. */
	private static IParser jsonParser() {
		return FHIR.newJsonParser().setStripVersionsFromReferences(false);
	}

	private static IParser xmlParser() {
		return FHIR.newXmlParser().setStripVersionsFromReferences(false);
	}

	private static final Pattern NARRATIVE_DIV = Pattern.compile("<div [^>]*>.*?</div></text>", Pattern.DOTALL);

	private static String withoutDiv(String xml) {
		return NARRATIVE_DIV.matcher(xml).replaceAll("<div/></text>");
	}

	private static <T extends org.hl7.fhir.r4.model.Element> T withExtension(T element, String url, org.hl7.fhir.r4.model.Type value) {
		element.addExtension(url, value);
		return element;
	}

	/** The resources of two patients' records, the shared resources and a Group, shaped like export lines. */
	private static List<Resource> sampleResources() {
		List<Resource> resources = new ArrayList<>();
		for (Bundle bundle : List.of(SampleData.sharedResources(), SampleData.patient(0, 2), SampleData.patient(7, 3))) {
			bundle.getEntry().forEach(entry -> resources.add(entry.getResource()));
		}
		resources.add(SampleData.group("all", "All", 0, 8, 3));
		resources.forEach(FhirJsonToXmlTest::storedMeta);
		return resources;
	}

	/** The meta that StoredResourceReader splices into each exported line. */
	private static void storedMeta(Resource resource) {
		resource.getMeta().setVersionId("1")
				.setLastUpdatedElement(new InstantType("2024-05-06T07:08:09.123+00:00"))
				.setSource("#request-1");
	}
}
