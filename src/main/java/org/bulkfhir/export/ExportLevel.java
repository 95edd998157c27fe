package org.bulkfhir.export;

/** The three kick-off endpoints of the Bulk Data Access IG. */
public enum ExportLevel {
	SYSTEM,
	PATIENT,
	GROUP
}
