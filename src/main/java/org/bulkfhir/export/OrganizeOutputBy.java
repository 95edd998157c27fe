package org.bulkfhir.export;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

import java.util.List;

/**
 * The kick-off parameter {@code organizeOutputBy} (Bulk Data STU3, "Bulk Data Output File Organization"):
 * output files made of blocks, each a header {@code Parameters} naming a resource followed by that resource
 * and the resources that reference it. Only {@code Patient}, and only at Group and Patient level, where the
 * export is already cut into patients; the system level has no patients to organize by.
 */
final class OrganizeOutputBy {

	static final String NAME = "organizeOutputBy";
	static final String PATIENT = "Patient";

	private OrganizeOutputBy() {}

	/** The resource type to organize by, or null when the parameter is absent. */
	static String parse(ExportLevel level, List<String> values) {
		if (values == null || values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw new InvalidRequestException(NAME + " may be given only once");
		}
		String value = values.get(0).strip();
		if (!value.equals(PATIENT)) {
			throw new InvalidRequestException("Unsupported " + NAME + " '" + ExportJobService.sanitize(value)
					+ "': this server organizes output only by Patient");
		}
		if (level == ExportLevel.SYSTEM) {
			throw new InvalidRequestException(NAME + "=Patient is supported only at Group and Patient level"
					+ " (Group/[id]/$export, Patient/$export), not by the system-level $export");
		}
		return value;
	}
}
