package org.bulkfhir.export;

import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.read.ExportQueries;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the {@code patient} parameter against the data at the export's transaction time: at Group
 * level every patient must be an active member of the Group then, at Patient level every patient
 * must exist then (the IG: a server SHOULD answer such a request with an OperationOutcome). The
 * plan step later exports exactly these patients.
 */
public class PatientSubset {

	/** At most this many offending ids are named in the answer. */
	private static final int NAMED = 10;

	private final GroupMembers groupMembers;
	private final ExportQueries queries;

	public PatientSubset(GroupMembers groupMembers, ExportQueries queries) {
		this.groupMembers = groupMembers;
		this.queries = queries;
	}

	/** 400 naming the patients that are not in the Group (Group level) or do not exist (Patient level). */
	public void check(ExportJobParameters params) {
		List<String> requested = params.getPatientIds();
		if (requested.isEmpty()) {
			return;
		}
		long asOf = params.getTransactionTime();
		if (params.getLevel() == ExportLevel.GROUP) {
			Set<String> members = groupMembers.activePatientIds(params.getGroupId(), asOf);
			List<String> outside = requested.stream().filter(id -> !members.contains(id)).toList();
			if (!outside.isEmpty()) {
				throw new InvalidRequestException("Parameter 'patient': " + named(outside) + " not "
						+ (outside.size() == 1 ? "an active member" : "active members") + " of Group/"
						+ ExportJobService.sanitize(params.getGroupId()));
			}
		} else if (params.getLevel() == ExportLevel.PATIENT) {
			Set<String> existing = queries.existingPatientIds(requested, asOf);
			List<String> missing = requested.stream().filter(id -> !existing.contains(id)).toList();
			if (!missing.isEmpty()) {
				throw new InvalidRequestException("Parameter 'patient': " + named(missing)
						+ (missing.size() == 1 ? " does" : " do") + " not exist on this server");
			}
		}
	}

	private static String named(List<String> ids) {
		String listed = ids.stream().limit(NAMED).map(id -> "Patient/" + ExportJobService.sanitize(id))
				.collect(Collectors.joining(", "));
		return ids.size() > NAMED ? listed + " and " + (ids.size() - NAMED) + " more" : listed;
	}
}
