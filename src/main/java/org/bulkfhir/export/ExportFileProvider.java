package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.output.DownloadFormat;
import org.bulkfhir.output.NdjsonToXml;
import org.bulkfhir.storage.ExportFileStore;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the files listed in a manifest, streamed from the file store: NDJSON as stored, or a
 * FHIR XML Bundle converted line by line when the client asks for XML. Any number of times until
 * the export expires.
 */
public class ExportFileProvider {

	private final ExportJobService jobs;
	private final ExportFileStore store;
	private final NdjsonToXml xml;
	private final Duration expiry;
	private final ManifestPages pages;

	public ExportFileProvider(
			ExportJobService jobs, ExportFileStore store, NdjsonToXml xml, Duration expiry, ManifestPages pages) {
		this.jobs = jobs;
		this.store = store;
		this.xml = xml;
		this.expiry = expiry;
		this.pages = pages;
	}

	@Operation(name = ExportResponses.FILE_OPERATION, manualResponse = true, idempotent = true)
	public void download(
			@OperationParam(name = "_jobId", min = 1, max = 1, typeName = "string") IPrimitiveType<String> jobId,
			@OperationParam(name = "file", min = 1, max = 1, typeName = "string") IPrimitiveType<String> file,
			ServletRequestDetails request)
			throws IOException {
		ExportJob job = jobs.find(jobId.getValueAsString(), ExportCaller.clientId(request));
		String name = file.getValueAsString();
		if (job.isExpired(expiry)) {
			throw new ResourceGoneException("This export expired at " + job.expiresAt(expiry)
					+ " and its files were deleted; start a new export");
		}
		ExportReport report = job.report();
		boolean listed = job.instance().getStatus() == StatusEnum.COMPLETED
				&& report != null
				&& Stream.of(report.getFiles(), report.getErrorFiles(), report.getDeletedFiles())
						.flatMap(List::stream)
						.anyMatch(f -> f.getName().equals(name));
		// allowPartialManifests: a file on a page returned while the export runs is served at once.
		listed = listed || (job.parameters().isAllowPartialManifests() && pages.isListed(job, name));
		Optional<InputStream> content = listed ? store.open(job.id(), name) : Optional.empty();
		if (content.isEmpty()) {
			throw new ResourceNotFoundException(
					"Export job " + job.id() + " has no file '" + ExportJobService.sanitize(name) + "'");
		}
		DownloadFormat format = DownloadFormat.negotiate(request.getHeader("Accept"))
				.orElseThrow(() -> new NotAcceptableException(
						"Export files are available as application/fhir+ndjson or application/fhir+xml"));
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(200);
		response.setContentType(format.contentType());
		response.setHeader("Cache-Control", "private, no-store");
		response.setHeader("Vary", "Accept, Accept-Encoding");
		if (job.expiresAt(expiry) != null) {
			response.setDateHeader("Expires", job.expiresAt(expiry).toEpochMilli());
		}
		boolean gzip = acceptsGzip(request.getHeader("Accept-Encoding"));
		if (gzip) {
			response.setHeader("Content-Encoding", "gzip");
		} else if (format == DownloadFormat.NDJSON) {
			response.setContentLengthLong(store.size(job.id(), name));
		}
		try (InputStream in = content.get()) {
			OutputStream out = gzip
					? new GZIPOutputStream(response.getOutputStream(), 1 << 16)
					: response.getOutputStream();
			if (format == DownloadFormat.XML) {
				Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
				xml.convert(in, writer, request.getFhirServerBase());
			} else {
				in.transferTo(out);
			}
			if (gzip) {
				((GZIPOutputStream) out).finish();
			}
			out.flush();
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

	/** 406: HAPI has no exception class of its own for it. */
	static class NotAcceptableException extends BaseServerResponseException {
		NotAcceptableException(String message) {
			super(406, message);
		}
	}
}
