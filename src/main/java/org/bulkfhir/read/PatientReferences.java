package org.bulkfhir.read;

/**
 * Whether a stored resource may be in more than one patient's compartment, told from its JSON text:
 * whether its references name more than one Patient. Every link HAPI indexes comes from a reference in
 * the text, written as {@code Patient/id}, with a base URL or a {@code /_history/n} at most, so a
 * resource whose text names one Patient at most links to one at most. The text may name more than the
 * links do (a reference outside the compartment's paths, in an extension or a contained resource):
 * such a resource is treated as possibly shared, which costs only its being written by the manifest
 * step instead of by its chunk.
 *
 * <p>On PostgreSQL the same question asked of {@code HFJ_RES_LINK} (by source: every link of the
 * chunk's resources fetched from the table) was a quarter of the database's time in an export; the
 * reader has the text in hand anyway.
 */
public final class PatientReferences {

	private static final String REFERENCE = "\"reference\":\"";
	private static final String PATIENT = "Patient/";

	private PatientReferences() {}

	/** Whether the resource's references name two or more different Patients. */
	public static boolean nameSeveralPatients(String json) {
		String first = null;
		int at = json.indexOf(REFERENCE);
		while (at >= 0) {
			int start = at + REFERENCE.length();
			int end = endOfString(json, start);
			if (end < 0) {
				return true; // not as HAPI writes JSON: assume the worst
			}
			String patient = patientId(json, start, end);
			if (patient != null) {
				if (first == null) {
					first = patient;
				} else if (!first.equals(patient)) {
					return true;
				}
			}
			at = json.indexOf(REFERENCE, end);
		}
		return false;
	}

	/** The id of the Patient a reference value names ({@code [base/]Patient/id[/_history/n]}), or null. */
	private static String patientId(String json, int start, int end) {
		int type = json.indexOf(PATIENT, start);
		while (type >= 0 && type < end) {
			if (type == start || json.charAt(type - 1) == '/') {
				int id = type + PATIENT.length();
				int idEnd = json.indexOf('/', id);
				return json.substring(id, idEnd < 0 || idEnd > end ? end : idEnd);
			}
			type = json.indexOf(PATIENT, type + 1);
		}
		return null;
	}

	/** The index of the quote that ends the JSON string whose content starts at {@code start}, or -1. */
	private static int endOfString(String json, int start) {
		for (int i = start; i < json.length(); i++) {
			char c = json.charAt(i);
			if (c == '\\') {
				return -1; // HAPI never escapes a character of an id or URL it references; be safe with others
			}
			if (c == '"') {
				return i;
			}
		}
		return -1;
	}
}
