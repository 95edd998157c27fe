package org.bulkfhir.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.InstantType;
import org.bulkfhir.errors.ErrorReference;
import org.bulkfhir.output.ExportedFile;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Writes the kick-off, status and manifest responses of the Bulk Data IG. */
public class ExportResponses {

	private static final Logger LOG = LoggerFactory.getLogger(ExportResponses.class);

	public static final String STATUS_OPERATION = "$export-status";
	public static final String FILE_OPERATION = "$export-file";

	private final FhirContext fhirContext;
	private final ObjectMapper json = new ObjectMapper();
	private final BooleanSupplier requiresAccessToken;
	private final int retryAfterSeconds;

	public ExportResponses(FhirContext fhirContext, BooleanSupplier requiresAccessToken, int retryAfterSeconds) {
		this.fhirContext = fhirContext;
		this.requiresAccessToken = requiresAccessToken;
		this.retryAfterSeconds = retryAfterSeconds;
	}

	public static String statusUrl(String serverBase, String jobId) {
		return serverBase + "/" + STATUS_OPERATION + "?_jobId=" + jobId;
	}

	public static String fileUrl(String serverBase, String jobId, String fileName) {
		return serverBase + "/" + FILE_OPERATION + "?_jobId=" + jobId + "&file="
				+ URLEncoder.encode(fileName, StandardCharsets.UTF_8);
	}

	public void accepted(ServletRequestDetails request, String jobId) throws IOException {
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(202);
		response.setHeader(Constants.HEADER_CONTENT_LOCATION, statusUrl(request.getFhirServerBase(), jobId));
		writeOutcome(response, OperationOutcome.IssueSeverity.INFORMATION, OperationOutcome.IssueType.INFORMATIONAL,
				"Export job " + jobId + " accepted; poll the Content-Location URL for its status");
	}

	public void inProgress(ServletRequestDetails request, ExportJob job) {
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(202);
		int percent = (int) Math.floor(Math.max(0, Math.min(1, job.instance().getProgress())) * 100);
		if (percent >= 100) {
			percent = 99;
		}
		response.setHeader("X-Progress", percent + "% (" + job.instance().getStatus() + ")");
		response.setHeader(Constants.HEADER_RETRY_AFTER, Integer.toString(retryAfterSeconds));
		response.setHeader(Constants.HEADER_CACHE_CONTROL, "no-store");
	}

	public void manifest(ServletRequestDetails request, ExportJob job, ExportReport report, java.time.Instant expires)
			throws IOException {
		String base = request.getFhirServerBase();
		ExportJobParameters params = job.parameters();
		ObjectNode manifest = manifestHeader(params);
		manifest.set("output", files(base, job.id(), report.getFiles()));
		manifest.set("error", files(base, job.id(), report.getErrorFiles()));
		if (params.getSince() != null) {
			// IG v2 "deleted": only incremental exports have deletions to report (an empty array: none).
			manifest.set("deleted", files(base, job.id(), report.getDeletedFiles()));
		}
		manifest.putObject("extension")
				.put("expires", new InstantType(Date.from(expires)).getValueAsString());
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(200);
		response.setContentType("application/json");
		response.setCharacterEncoding("UTF-8");
		response.setHeader(Constants.HEADER_CACHE_CONTROL, "no-store");
		response.setDateHeader("Expires", expires.toEpochMilli());
		json.writeValue(response.getOutputStream(), manifest);
	}

	/**
	 * A page of an export started with {@code allowPartialManifests=true} (STU3): 200 once the export is
	 * complete, else 202 with the progress headers and the files complete so far. It has no {@code expires}
	 * extension: a page returned while running must not change later (the Expires header says it once known).
	 */
	public void manifestPage(ServletRequestDetails request, ExportJob job, ManifestPages.Page page, java.time.Instant expires)
			throws IOException {
		String base = request.getFhirServerBase();
		ExportJobParameters params = job.parameters();
		ObjectNode manifest = manifestHeader(params);
		manifest.set("output", files(base, job.id(), page.entries(), ManifestPages.Kind.OUTPUT));
		manifest.set("error", files(base, job.id(), page.entries(), ManifestPages.Kind.ERROR));
		if (params.getSince() != null) {
			manifest.set("deleted", files(base, job.id(), page.entries(), ManifestPages.Kind.DELETED));
		}
		if (page.more()) {
			manifest.putArray("link").addObject()
					.put("relation", "next")
					.put("url", statusUrl(base, job.id()) + "&page=" + (page.number() + 1));
		}
		HttpServletResponse response = request.getServletResponse();
		if (expires == null) {
			inProgress(request, job);
		} else {
			response.setStatus(200);
			response.setDateHeader("Expires", expires.toEpochMilli());
		}
		response.setContentType("application/json");
		response.setCharacterEncoding("UTF-8");
		response.setHeader(Constants.HEADER_CACHE_CONTROL, "no-store");
		json.writeValue(response.getOutputStream(), manifest);
	}

	/** The fields every manifest and every page of one carries alike. */
	private ObjectNode manifestHeader(ExportJobParameters params) {
		ObjectNode manifest = json.createObjectNode();
		manifest.put("transactionTime", new InstantType(new Date(params.getTransactionTime())).getValueAsString());
		manifest.put("request", params.getRequestUrl());
		manifest.put("requiresAccessToken", requiresAccessToken.getAsBoolean());
		if (params.getOrganizeOutputBy() != null) {
			manifest.put("outputOrganizedBy", params.getOrganizeOutputBy());
		}
		return manifest;
	}

	private ArrayNode files(String base, String jobId, List<ManifestPages.Entry> entries, ManifestPages.Kind kind) {
		return files(base, jobId, entries.stream().filter(e -> e.getKind() == kind).map(ManifestPages.Entry::getFile).toList());
	}

	private ArrayNode files(String base, String jobId, List<ExportedFile> files) {
		ArrayNode array = json.createArrayNode();
		for (ExportedFile file : files) {
			ObjectNode node = array.addObject();
			// organizeOutputBy: files of patient blocks hold every type and carry none (the IG: SHALL NOT).
			if (file.getType() != null) {
				node.put("type", file.getType());
			}
			node.put("url", fileUrl(base, jobId, file.getName()));
			if (file.getContinuesInFile() != null) {
				node.put("continuesInFile", fileUrl(base, jobId, file.getContinuesInFile()));
			}
			node.put("count", file.getCount());
		}
		return array;
	}

	public void deleted(ServletRequestDetails request, String jobId) throws IOException {
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(202);
		writeOutcome(response, OperationOutcome.IssueSeverity.INFORMATION, OperationOutcome.IssueType.INFORMATIONAL,
				"Export job " + jobId + " was cancelled and its files are being deleted");
	}

	/**
	 * A failed job: batch2's error message (exception text, paths) goes to the log under a
	 * reference, the client gets the reference only.
	 */
	public void failed(ServletRequestDetails request, ExportJob job) throws IOException {
		String reference = ErrorReference.next();
		LOG.warn("Export job {} failed, reference {}: {}", job.id(), reference, job.instance().getErrorMessage());
		HttpServletResponse response = request.getServletResponse();
		response.setStatus(500);
		writeOutcome(response, OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.EXCEPTION,
				"Export job " + job.id() + " failed on the server (" + ErrorReference.pointer(reference)
						+ "). Start a new export to try again.");
	}

	private void writeOutcome(
			HttpServletResponse response,
			OperationOutcome.IssueSeverity severity,
			OperationOutcome.IssueType type,
			String message)
			throws IOException {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue().setSeverity(severity).setCode(type).setDiagnostics(message);
		response.setContentType(Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding("UTF-8");
		fhirContext.newJsonParser().encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().flush();
	}
}
