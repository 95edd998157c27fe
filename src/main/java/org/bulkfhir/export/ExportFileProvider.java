package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.storage.ExportFileStore;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Serves the files listed in a manifest, streamed from the file store. */
public class ExportFileProvider {

	private final ExportJobService jobs;
	private final ExportFileStore store;

	public ExportFileProvider(ExportJobService jobs, ExportFileStore store) {
		this.jobs = jobs;
		this.store = store;
	}

	@Operation(name = ExportResponses.FILE_OPERATION, manualResponse = true, idempotent = true)
	public void download(
			@OperationParam(name = "_jobId", min = 1, max = 1, typeName = "string") IPrimitiveType<String> jobId,
			@OperationParam(name = "file", min = 1, max = 1, typeName = "string") IPrimitiveType<String> file,
			ServletRequestDetails request)
			throws IOException {
		ExportJob job = jobs.find(jobId.getValueAsString(), ExportCaller.clientId(request));
		String name = file.getValueAsString();
		ExportReport report = job.report();
		boolean listed = job.instance().getStatus() == StatusEnum.COMPLETED
				&& report != null
				&& Stream.concat(report.getFiles().stream(), report.getErrorFiles().stream())
						.anyMatch(f -> f.getName().equals(name));
		Optional<InputStream> content = listed ? store.open(job.id(), name) : Optional.empty();
		if (content.isEmpty()) {
			throw new ResourceNotFoundException("Export job " + job.id() + " has no file '"
					+ ExportJobService.sanitize(name) + "'");
		}
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(200);
		response.setContentType("application/fhir+ndjson");
		response.setHeader("Cache-Control", "private, no-store");
		boolean gzip = acceptsGzip(request.getHeader("Accept-Encoding"));
		try (InputStream in = content.get()) {
			if (gzip) {
				response.setHeader("Content-Encoding", "gzip");
				response.setHeader("Vary", "Accept-Encoding");
				try (OutputStream out = new GZIPOutputStream(response.getOutputStream(), 1 << 16)) {
					in.transferTo(out);
				}
			} else {
				response.setContentLengthLong(store.size(job.id(), name));
				OutputStream out = response.getOutputStream();
				in.transferTo(out);
				out.flush();
			}
		}
	}

	static boolean acceptsGzip(String acceptEncoding) {
		if (acceptEncoding == null) {
			return false;
		}
		for (String part : acceptEncoding.split(",")) {
			String[] pieces = part.trim().split(";");
			if (pieces[0].trim().equalsIgnoreCase("gzip")) {
				return pieces.length < 2 || !pieces[1].replace(" ", "").equals("q=0");
			}
		}
		return false;
	}
}
