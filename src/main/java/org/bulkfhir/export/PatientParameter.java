package org.bulkfhir.export;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates {@code patient} (Bulk Data IG v2, kick-off parameters): references {@code Patient/[id]}
 * from the {@code valueReference} entries of a POSTed {@code Parameters} body. Whether the patients
 * exist or belong to the Group is checked by {@link PatientSubset} once the level is known.
 */
final class PatientParameter {

	static final String NAME = "patient";
	/** At most this many patients per kick-off; a larger cohort belongs in a Group. */
	static final int MAX_PATIENTS = 1000;
	private static final Pattern REFERENCE = Pattern.compile("Patient/([A-Za-z0-9\\-.]{1,64})");

	private PatientParameter() {}

	/** The FHIR ids of the referenced patients, in request order without repeats; empty if absent. */
	static List<String> parse(List<String> references) {
		Set<String> ids = new LinkedHashSet<>();
		if (references == null) {
			return new ArrayList<>();
		}
		for (String reference : references) {
			Matcher matcher = REFERENCE.matcher(reference.strip());
			if (!matcher.matches()) {
				throw new InvalidRequestException("Invalid patient reference '" + ExportJobService.sanitize(reference)
						+ "' in parameter 'patient': expected a relative reference Patient/[id]");
			}
			ids.add(matcher.group(1));
			if (ids.size() > MAX_PATIENTS) {
				throw new InvalidRequestException("Too many patients in parameter 'patient': this server takes at most "
						+ MAX_PATIENTS + " per export (use a Group for a larger cohort)");
			}
		}
		return new ArrayList<>(ids);
	}
}
