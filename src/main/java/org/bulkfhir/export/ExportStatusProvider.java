package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.io.IOException;

/** The status URL: poll (GET) and cancel/delete (DELETE). */
public class ExportStatusProvider {

	private final ExportJobService jobs;
	private final ExportResponses responses;
	private final java.time.Duration expiry;
	private final ManifestPages pages;

	public ExportStatusProvider(
			ExportJobService jobs, ExportResponses responses, java.time.Duration expiry, ManifestPages pages) {
		this.jobs = jobs;
		this.responses = responses;
		this.expiry = expiry;
		this.pages = pages;
	}

	@Operation(name = ExportResponses.STATUS_OPERATION, manualResponse = true, idempotent = true, deleteEnabled = true)
	public void status(
			@OperationParam(name = "_jobId", min = 1, max = 1, typeName = "string") IPrimitiveType<String> jobId,
			@OperationParam(name = "page", min = 0, max = 1, typeName = "string") IPrimitiveType<String> page,
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
		Integer pageNumber = pageNumber(page, job);
		if (job.parameters().isAllowPartialManifests() && status != StatusEnum.FAILED) {
			paged(request, job, pageNumber == null ? 1 : pageNumber);
			return;
		}
		ExportReport report = job.report();
		if (status == StatusEnum.COMPLETED && report != null) {
			responses.manifest(request, job, report, job.expiresAt(expiry));
		} else if (status == StatusEnum.FAILED) {
			responses.failed(request, job);
		} else {
			responses.inProgress(request, job);
		}
	}

	/** STU3 allowPartialManifests: the page asked for; while running, 202 without a body until it has files. */
	private void paged(ServletRequestDetails request, ExportJob job, int number) throws IOException {
		java.util.Optional<ManifestPages.Page> page = pages.page(job, number);
		boolean complete = job.instance().getStatus() == StatusEnum.COMPLETED && job.report() != null;
		if (page.isPresent()) {
			responses.manifestPage(request, job, page.get(), complete ? job.expiresAt(expiry) : null);
		} else if (complete) {
			throw new ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException(
					"Export job " + job.id() + " has no manifest page " + number);
		} else {
			responses.inProgress(request, job);
		}
	}

	/** The {@code page} parameter: a positive number, only for exports started with allowPartialManifests=true. */
	private static Integer pageNumber(IPrimitiveType<String> page, ExportJob job) {
		if (page == null || page.getValueAsString() == null) {
			return null;
		}
		String value = page.getValueAsString().strip();
		if (!job.parameters().isAllowPartialManifests()) {
			throw new InvalidRequestException(
					"page applies only to exports started with allowPartialManifests=true; this export has one manifest");
		}
		if (!value.matches("[1-9][0-9]{0,8}")) {
			throw new InvalidRequestException(
					"Invalid page '" + ExportJobService.sanitize(value) + "': expected a page number from 1");
		}
		return Integer.parseInt(value);
	}
}
