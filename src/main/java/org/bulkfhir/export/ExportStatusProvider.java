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

	public ExportStatusProvider(ExportJobService jobs, ExportResponses responses) {
		this.jobs = jobs;
		this.responses = responses;
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
		StatusEnum status = job.instance().getStatus();
		ExportReport report = job.report();
		if (status == StatusEnum.COMPLETED && report != null) {
			responses.manifest(request, job, report);
		} else if (status == StatusEnum.FAILED) {
			responses.failed(request, job);
		} else {
			responses.inProgress(request, job);
		}
	}
}
