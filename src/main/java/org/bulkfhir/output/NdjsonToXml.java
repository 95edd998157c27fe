package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Turns an NDJSON export file into a FHIR XML Bundle of type collection, one line at a time:
 * memory stays constant whatever the file size.
 */
public class NdjsonToXml {

	private final FhirContext fhirContext;

	public NdjsonToXml(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	public void convert(InputStream ndjson, Writer xml, String serverBase) throws IOException {
		IParser jsonParser = fhirContext.newJsonParser();
		IParser xmlParser = fhirContext.newXmlParser();
		BufferedReader reader = new BufferedReader(new InputStreamReader(ndjson, StandardCharsets.UTF_8), 1 << 16);
		xml.write("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>");
		String line;
		while ((line = reader.readLine()) != null) {
			if (line.isBlank()) {
				continue;
			}
			IBaseResource resource = jsonParser.parseResource(line);
			xml.write("<entry>");
			if (resource.getIdElement().hasIdPart()) {
				xml.write("<fullUrl value=\"");
				xml.write(escape(serverBase + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart()));
				xml.write("\"/>");
			}
			xml.write("<resource>");
			xmlParser.encodeResourceToWriter(resource, xml);
			xml.write("</resource></entry>");
		}
		xml.write("</Bundle>");
		xml.flush();
	}

	private static String escape(String value) {
		return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
	}
}
