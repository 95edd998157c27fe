package org.bulkfhir.export;

import org.bulkfhir.read.GroupMembers;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IIdType;

import java.io.IOException;

/** The three {@code $export} kick-off endpoints: system, Patient and Group level. */
public class ExportKickoffProvider {

	public static final String OPERATION = "$export";

	private final ExportRequestParser parser;
	private final ExportJobService jobs;
	private final GroupMembers groupMembers;
	private final PatientSubset patientSubset;
	private final ExportResponses responses;

	public ExportKickoffProvider(
			ExportRequestParser parser,
			ExportJobService jobs,
			GroupMembers groupMembers,
			PatientSubset patientSubset,
			ExportResponses responses) {
		this.parser = parser;
		this.jobs = jobs;
		this.groupMembers = groupMembers;
		this.patientSubset = patientSubset;
		this.responses = responses;
	}

	@Operation(name = OPERATION, manualResponse = true, idempotent = true)
	public void systemExport(ServletRequestDetails request) throws IOException {
		kickOff(parser.parse(ExportLevel.SYSTEM, null, request), request);
	}

	@Operation(name = OPERATION, manualResponse = true, idempotent = true, typeName = "Patient")
	public void patientExport(ServletRequestDetails request) throws IOException {
		ExportJobParameters params = parser.parse(ExportLevel.PATIENT, null, request);
		patientSubset.check(params);
		kickOff(params, request);
	}

	@Operation(name = OPERATION, manualResponse = true, idempotent = true, typeName = "Group")
	public void groupExport(@IdParam IIdType groupId, ServletRequestDetails request) throws IOException {
		ExportJobParameters params = parser.parse(ExportLevel.GROUP, groupId.getIdPart(), request);
		groupMembers.requireExists(groupId.getIdPart()); // 404 now, not a failed job later
		patientSubset.check(params);
		kickOff(params, request);
	}

	private void kickOff(ExportJobParameters params, ServletRequestDetails request) throws IOException {
		String jobId = jobs.start(params, request);
		responses.accepted(request, jobId);
	}
}
