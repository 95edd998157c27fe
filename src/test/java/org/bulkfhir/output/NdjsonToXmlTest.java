package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import org.bulkfhir.output.FhirJsonToXml.NotConvertibleException;
import org.bulkfhir.server.sample.SampleData;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdjsonToXmlTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final String BASE = "http://example.org/fhir";
	/** HAPI reads this line, whose resourceType is not first; the fast converter refuses it. */
	private static final String LATE_RESOURCE_TYPE = "{\"id\":\"late\",\"resourceType\":\"Patient\",\"active\":true}";
	private static final String WITHOUT_ID = "{\"resourceType\":\"Patient\",\"active\":false}";

	@Test
	void convertsEveryLineIntoABundleEntryFallingBackToHapiForALineTheConverterRefuses() throws Exception {
		assertThatThrownBy(() -> new FhirJsonToXml().convert(LATE_RESOURCE_TYPE, new StringBuilder()))
				.isInstanceOf(NotConvertibleException.class);
		List<String> lines = sampleLines();
		lines.add(3, LATE_RESOURCE_TYPE);
		lines.add(WITHOUT_ID);
		String ndjson = String.join("\n", lines.subList(0, 5)) + "\n\n" + String.join("\n", lines.subList(5, lines.size())) + "\n";

		String xml = convert(ndjson);

		Bundle bundle = (Bundle) FHIR.newXmlParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(xml);
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.COLLECTION);
		assertThat(bundle.getEntry()).hasSize(lines.size());
		IParser json = FHIR.newJsonParser();
		for (int i = 0; i < lines.size(); i++) {
			IBaseResource expected = json.parseResource(lines.get(i));
			Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
			assertThat(json.encodeResourceToString(entry.getResource())).isEqualTo(json.encodeResourceToString(expected));
			String id = expected.getIdElement().getIdPart();
			assertThat(entry.getFullUrl()).isEqualTo(id == null ? null : BASE + "/" + expected.fhirType() + "/" + id);
		}
		assertThat(bundle.getEntry().get(3).getFullUrl()).isEqualTo(BASE + "/Patient/late");
		assertThat(bundle.getEntryFirstRep().getFullUrl()).isEqualTo(BASE + "/Organization/org1");
	}

	/** For lines as HAPI writes them, the fast path changes nothing: the text is what HAPI alone wrote. */
	@Test
	void writesExactlyWhatTheHapiOnlyConversionWrote() throws Exception {
		List<String> lines = sampleLines();
		lines.add(LATE_RESOURCE_TYPE);
		lines.add(WITHOUT_ID);
		String ndjson = String.join("\n", lines) + "\n";

		assertThat(convert(ndjson)).isEqualTo(convertWithHapiOnly(lines));
	}

	private static String convert(String ndjson) throws Exception {
		StringWriter xml = new StringWriter();
		new NdjsonToXml(FHIR).convert(new ByteArrayInputStream(ndjson.getBytes(StandardCharsets.UTF_8)), xml, BASE);
		return xml.toString();
	}

	/** What NdjsonToXml wrote before it had a fast path. */
	private static String convertWithHapiOnly(List<String> lines) {
		IParser json = FHIR.newJsonParser();
		IParser xml = FHIR.newXmlParser();
		StringBuilder out = new StringBuilder("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>");
		for (String line : lines) {
			IBaseResource resource = json.parseResource(line);
			out.append("<entry>");
			if (resource.getIdElement().hasIdPart()) {
				out.append("<fullUrl value=\"").append(BASE).append('/').append(resource.fhirType()).append('/')
						.append(resource.getIdElement().getIdPart()).append("\"/>");
			}
			out.append("<resource>").append(xml.encodeResourceToString(resource)).append("</resource></entry>");
		}
		return out.append("</Bundle>").toString();
	}

	/** Lines as an export writes them: shared resources and one patient's record, with stored meta. */
	private static List<String> sampleLines() {
		IParser json = FHIR.newJsonParser();
		List<String> lines = new ArrayList<>();
		for (Bundle bundle : List.of(SampleData.sharedResources(), SampleData.patient(3, 2))) {
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				Resource resource = entry.getResource();
				resource.getMeta().setVersionId("2")
						.setLastUpdatedElement(new InstantType("2024-05-06T07:08:09.123+00:00"))
						.setSource("#request-2");
				lines.add(json.encodeResourceToString(resource));
			}
		}
		return lines;
	}
}
