package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.io.IOException;

/** The status URL: poll (GET) and cancel/delete (DELETE). */
public class ExportStatusProvider {

	private final ExportJobService jobs;
	private final ExportResponses responses;
	private final java.time.Duration expiry;

	public ExportStatusProvider(ExportJobService jobs, ExportResponses responses, java.time.Duration expiry) {
		this.jobs = jobs;
		this.responses = responses;
		this.expiry = expiry;
	}

	@Operation(name = ExportResponses.STATUS_OPERATION, manualResponse = true, idempotent = true, deleteEnabled = true)
	public void status(
			@OperationParam(name = "_jobId", min = 1, max = 1, typeName = "string") IPrimitiveType<String> jobId,
			ServletRequestDetails request)
			throws IOException {
		ExportJob job = jobs.find(jobId == null ? null : jobId.getValueAsString(), ExportCaller.clientId(request));
		if (request.getRequestType() == RequestTypeEnum.DELETE) {
			jobs.delete(job);
			responses.deleted(request, job.id());
			return;
		}
		if (job.isExpired(expiry)) {
			throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException("Export job " + job.id()
					+ " expired at " + job.expiresAt(expiry) + " and its files were deleted; start a new export");
		}
		StatusEnum status = job.instance().getStatus();
		ExportReport report = job.report();
		if (status == StatusEnum.COMPLETED && report != null) {
			responses.manifest(request, job, report, job.expiresAt(expiry));
		} else if (status == StatusEnum.FAILED) {
			responses.failed(request, job);
		} else {
			responses.inProgress(request, job);
		}
	}
}
