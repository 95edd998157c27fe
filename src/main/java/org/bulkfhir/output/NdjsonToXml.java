package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.bulkfhir.output.FhirJsonToXml.NotConvertibleException;
import org.bulkfhir.output.FhirJsonToXml.RootResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Turns an NDJSON export file into a FHIR XML Bundle of type collection, one line at a time:
 * memory stays constant whatever the file size. Each line goes through {@link FhirJsonToXml};
 * a line it does not handle is parsed and encoded by HAPI instead.
 */
public class NdjsonToXml {

	private static final Logger LOG = LoggerFactory.getLogger(NdjsonToXml.class);

	private final FhirContext fhirContext;

	public NdjsonToXml(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	public void convert(InputStream ndjson, Writer xml, String serverBase) throws IOException {
		FhirJsonToXml converter = new FhirJsonToXml();
		HapiConversion hapi = null;
		StringBuilder resourceXml = new StringBuilder(1 << 14);
		char[] copyBuffer = new char[1 << 14];
		BufferedReader reader = new BufferedReader(new InputStreamReader(ndjson, StandardCharsets.UTF_8), 1 << 16);
		xml.write("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>");
		String line;
		while ((line = reader.readLine()) != null) {
			if (line.isBlank()) {
				continue;
			}
			resourceXml.setLength(0);
			RootResource root;
			try {
				root = converter.convert(line, resourceXml);
			} catch (NotConvertibleException e) {
				LOG.debug("Converting a line with HAPI: {}", e.getMessage());
				hapi = hapi != null ? hapi : new HapiConversion(fhirContext);
				root = hapi.convert(line, resourceXml);
			}
			xml.write("<entry>");
			if (root.id() != null) {
				xml.write("<fullUrl value=\"");
				xml.write(escape(serverBase + "/" + root.type() + "/" + root.id()));
				xml.write("\"/>");
			}
			xml.write("<resource>");
			copyBuffer = write(resourceXml, xml, copyBuffer);
			xml.write("</resource></entry>");
		}
		xml.write("</Bundle>");
		xml.flush();
	}

	/** Writes the builder's text without making a String of it; returns the (maybe grown) buffer. */
	private static char[] write(StringBuilder text, Writer out, char[] buffer) throws IOException {
		char[] chars = buffer.length >= text.length() ? buffer : new char[text.length()];
		text.getChars(0, text.length(), chars, 0);
		out.write(chars, 0, text.length());
		return chars;
	}

	private static String escape(String value) {
		return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
	}

	/** The slow path: HAPI's JSON parser and XML encoder. */
	private static final class HapiConversion {

		private final IParser jsonParser;
		private final IParser xmlParser;

		HapiConversion(FhirContext fhirContext) {
			jsonParser = fhirContext.newJsonParser();
			xmlParser = fhirContext.newXmlParser();
		}

		RootResource convert(String json, StringBuilder out) {
			IBaseResource resource = jsonParser.parseResource(json);
			out.append(xmlParser.encodeResourceToString(resource));
			String id = resource.getIdElement().hasIdPart() ? resource.getIdElement().getIdPart() : null;
			return new RootResource(resource.fhirType(), id);
		}
	}
}
