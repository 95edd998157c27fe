package org.bulkfhir.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.bulkfhir.output.NdjsonToXml;
import org.bulkfhir.server.sample.SampleData;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How fast NdjsonToXml turns an export file into FHIR XML on one thread, next to the HAPI
 * parse+encode it used before. The XML goes through the same writer stack as a download (UTF-8,
 * buffered; no gzip, no network) into a byte counter. Prints MB/s of XML produced.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     org.bulkfhir.bench.XmlConversionBench [MB of NDJSON, default 20]</pre>
 */
public final class XmlConversionBench {

	private static final String BASE = "http://localhost:8080/fhir";
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private XmlConversionBench() {}

	/** One way of converting NDJSON to an XML Bundle. */
	private interface Conversion {
		void convert(InputStream ndjson, Writer xml) throws IOException;
	}

	public static void main(String[] args) throws IOException {
		long targetBytes = (args.length > 0 ? Long.parseLong(args[0]) : 20) * 1_000_000L;
		byte[] ndjson = sampleNdjson(targetBytes);
		System.out.printf("NDJSON: %.1f MB%n", ndjson.length / 1e6);
		NdjsonToXml ndjsonToXml = new NdjsonToXml(FHIR);
		measure("NdjsonToXml (FhirJsonToXml)", ndjson, 3, 5, (in, out) -> ndjsonToXml.convert(in, out, BASE));
		measure("HAPI parse+encode (before)", ndjson, 1, 2, XmlConversionBench::convertWithHapi);
	}

	private static void measure(String name, byte[] ndjson, int warmups, int runs, Conversion conversion)
			throws IOException {
		double[] mbPerSecond = new double[runs];
		long xmlBytes = 0;
		for (int run = -warmups; run < runs; run++) {
			ByteCounter counter = new ByteCounter();
			long start = System.nanoTime();
			try (Writer xml = new BufferedWriter(new OutputStreamWriter(counter, StandardCharsets.UTF_8), 1 << 16)) {
				conversion.convert(new ByteArrayInputStream(ndjson), xml);
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			xmlBytes = counter.count;
			if (run >= 0) {
				mbPerSecond[run] = counter.count / 1e6 / seconds;
			}
		}
		Arrays.sort(mbPerSecond);
		System.out.printf("%-30s XML %.1f MB, median %.1f MB/s of XML (runs: %s)%n",
				name, xmlBytes / 1e6, mbPerSecond[runs / 2], Arrays.toString(rounded(mbPerSecond)));
	}

	/** The conversion NdjsonToXml made before it had a fast path. */
	private static void convertWithHapi(InputStream ndjson, Writer xml) throws IOException {
		IParser jsonParser = FHIR.newJsonParser();
		IParser xmlParser = FHIR.newXmlParser();
		BufferedReader reader = new BufferedReader(new InputStreamReader(ndjson, StandardCharsets.UTF_8), 1 << 16);
		xml.write("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>");
		String line;
		while ((line = reader.readLine()) != null) {
			IBaseResource resource = jsonParser.parseResource(line);
			xml.write("<entry><fullUrl value=\"" + BASE + "/" + resource.fhirType() + "/"
					+ resource.getIdElement().getIdPart() + "\"/><resource>");
			xmlParser.encodeResourceToWriter(resource, xml);
			xml.write("</resource></entry>");
		}
		xml.write("</Bundle>");
	}

	/** Export-shaped lines (with the meta the reader splices in) from SampleData patients. */
	private static byte[] sampleNdjson(long targetBytes) throws IOException {
		IParser json = FHIR.newJsonParser();
		ByteArrayOutputStream out = new ByteArrayOutputStream((int) targetBytes + (1 << 20));
		append(SampleData.sharedResources(), json, out);
		for (int patient = 0; out.size() < targetBytes; patient++) {
			append(SampleData.patient(patient, 6), json, out);
		}
		return out.toByteArray();
	}

	private static void append(Bundle bundle, IParser json, OutputStream out) throws IOException {
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			resource.getMeta().setVersionId("1")
					.setLastUpdatedElement(new InstantType("2024-05-06T07:08:09.123+00:00"))
					.setSource("#f3a9c1d2e4b5a6c7");
			out.write(json.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8));
			out.write('\n');
		}
	}

	private static double[] rounded(double[] values) {
		return Arrays.stream(values).map(v -> Math.round(v * 10) / 10.0).toArray();
	}

	private static final class ByteCounter extends OutputStream {
		long count;

		@Override
		public void write(int b) {
			count++;
		}

		@Override
		public void write(byte[] b, int off, int len) {
			count += len;
		}
	}
}
