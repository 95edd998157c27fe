package org.bulkfhir.output;

import java.util.Locale;
import java.util.Optional;

/**
 * Content negotiation for export files: NDJSON by default, FHIR XML when the Accept header
 * prefers it (q-values honoured), nothing when it accepts neither.
 */
public enum DownloadFormat {
	NDJSON("application/fhir+ndjson"),
	XML("application/fhir+xml;charset=UTF-8");

	private final String contentType;

	DownloadFormat(String contentType) {
		this.contentType = contentType;
	}

	public String contentType() {
		return contentType;
	}

	/** The best format for an Accept header, or empty when none is acceptable (406). */
	public static Optional<DownloadFormat> negotiate(String accept) {
		if (accept == null || accept.isBlank()) {
			return Optional.of(NDJSON);
		}
		double ndjson = 0;
		double xml = 0;
		for (String part : accept.split(",")) {
			String[] pieces = part.trim().split(";");
			String mediaType = pieces[0].trim().toLowerCase(Locale.ROOT);
			double q = quality(pieces);
			switch (mediaType) {
				case "application/fhir+ndjson", "application/ndjson", "application/x-ndjson", "ndjson",
						"application/fhir+json", "application/json" -> ndjson = Math.max(ndjson, q);
				case "application/fhir+xml", "application/xml", "text/xml" -> xml = Math.max(xml, q);
				case "*/*", "application/*" -> {
					ndjson = Math.max(ndjson, q);
					xml = Math.max(xml, q * 0.99); // a wildcard alone still means NDJSON
				}
				default -> {}
			}
		}
		if (ndjson <= 0 && xml <= 0) {
			return Optional.empty();
		}
		return Optional.of(xml > ndjson ? XML : NDJSON);
	}

	private static double quality(String[] pieces) {
		for (int i = 1; i < pieces.length; i++) {
			String parameter = pieces[i].trim();
			if (parameter.startsWith("q=")) {
				try {
					return Double.parseDouble(parameter.substring(2));
				} catch (NumberFormatException e) {
					return 0;
				}
			}
		}
		return 1;
	}
}
