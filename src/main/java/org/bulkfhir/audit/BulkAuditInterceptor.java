package org.bulkfhir.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.nimbusds.jwt.JWTParser;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.auth.BearerTokenInterceptor;
import org.bulkfhir.auth.SmartEndpoints;
import org.bulkfhir.errors.ErrorReference;
import org.bulkfhir.export.ExportJob;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.export.ExportResponses;
import org.bulkfhir.read.GroupMembers;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Records the bulk endpoints and the token endpoint in the audit trail, as a HAPI server
 * interceptor: kick-offs (accepted or refused, with the job's parameters, its Group and the
 * Group's number of patients, or the number named by the {@code patient} parameter), status reads that did not answer "still running", downloads,
 * DELETEs, token issues and refusals.
 *
 * <p>Kick-offs and downloads fail closed: their entry is written before the job is created or a
 * byte of a file is sent, once the caller has been authorized; if the database refuses it, the
 * request is answered 503 and nothing happens. The entry is completed with the answer afterwards.
 * Everything else is written once the answer is known; a failed write is logged at ERROR with the
 * entry's content and the answer stays as it was (a refusal stays a refusal).
 */
@Interceptor
public class BulkAuditInterceptor {

	public static final String ACTION_KICKOFF = "export.kickoff";
	public static final String ACTION_STATUS = "export.status";
	public static final String ACTION_DOWNLOAD = "export.download";
	public static final String ACTION_DELETE = "export.delete";
	public static final String ACTION_TOKEN = "token";

	/** Request attributes the token endpoint leaves for the audit (see SmartEndpoints). */
	public static final String TOKEN_CLIENT = SmartEndpoints.TOKEN_CLIENT;
	public static final String TOKEN_GRANTED = SmartEndpoints.TOKEN_GRANTED;
	public static final String TOKEN_REFUSAL = SmartEndpoints.TOKEN_REFUSAL;
	/** Request user data: why a hook refused the request (see auth.Refusal). */
	public static final String REFUSAL_REASON = "bulkfhir.refusalReason";

	private static final Logger LOG = LoggerFactory.getLogger(BulkAuditInterceptor.class);
	private static final String ENTRY = AuditEntry.class.getName();
	private static final Set<RestOperationTypeEnum> OPERATION_TYPES = Set.of(
			RestOperationTypeEnum.EXTENDED_OPERATION_SERVER,
			RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
			RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

	private final AuditTrail trail;
	private final AuditSource source;
	private final ExportJobService jobs;
	private final GroupMembers groupMembers;

	public BulkAuditInterceptor(AuditTrail trail, AuditSource source, ExportJobService jobs, GroupMembers groupMembers) {
		this.trail = trail;
		this.source = source;
		this.jobs = jobs;
		this.groupMembers = groupMembers;
	}

	/** After every authorization hook (order 0 and 100): only authorized requests get here. */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = 200)
	public boolean beforeAction(RequestDetails request, HttpServletResponse response) throws IOException {
		String action = action(request);
		if (action == null || !(request instanceof ServletRequestDetails servlet)) {
			return true;
		}
		AuditEntry entry = entry(action, servlet);
		request.getUserData().put(ENTRY, entry);
		if (!ACTION_KICKOFF.equals(action) && !ACTION_DOWNLOAD.equals(action)) {
			return true;
		}
		try {
			trail.insert(entry);
			return true;
		} catch (RuntimeException e) {
			AuditTrail.failed(entry, e);
			request.getUserData().remove(ENTRY);
			refuse(request, response);
			return false;
		}
	}

	@Hook(value = Pointcut.SERVER_HANDLE_EXCEPTION, order = -2000)
	public boolean exception(RequestDetails request, BaseServerResponseException exception) {
		request.getUserData().put(REFUSAL_REASON, exception.getMessage());
		return true;
	}

	@Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
	public void completed(RequestDetails request) {
		if (!(request instanceof ServletRequestDetails servlet) || servlet.getServletResponse() == null) {
			return;
		}
		if (SmartEndpoints.TOKEN_PATH.equals(servlet.getServletRequest().getPathInfo())) {
			token(servlet);
			return;
		}
		String action = action(request);
		if (action == null) {
			return;
		}
		AuditEntry entry = (AuditEntry) request.getUserData().get(ENTRY);
		boolean pending = entry != null && AuditEntry.OUTCOME_PENDING.equals(entry.outcome())
				&& (ACTION_KICKOFF.equals(action) || ACTION_DOWNLOAD.equals(action));
		if (entry == null) {
			entry = entry(action, servlet); // refused before it was authorized
		}
		int status = servlet.getServletResponse().getStatus();
		if (ACTION_STATUS.equals(action) && status == 202) {
			return; // polling a running job: nothing is released, and clients poll every second
		}
		Object reason = request.getUserData().get(REFUSAL_REASON);
		entry.outcome(status, status < 400 ? null : reason == null ? null : reason.toString());
		try {
			enrich(entry, servlet, status);
		} catch (RuntimeException e) {
			LOG.warn("Audit entry {} of job {} recorded without the job's details: {}", entry.id(), entry.jobId(),
					e.toString());
		}
		trail.record(entry, pending);
	}

	private AuditEntry entry(String action, ServletRequestDetails request) {
		String clientId = clientId(request);
		AuditEntry entry = AuditEntry.of(action)
				.actor(clientId == null ? null : AuditEntry.ACTOR_CLIENT, clientId)
				.client(clientId);
		source.stamp(entry, request.getServletRequest());
		entry.detail("method", request.getRequestType() == null ? null : request.getRequestType().name());
		if (ACTION_KICKOFF.equals(action)) {
			if (request.getId() != null && "Group".equals(request.getId().getResourceType())) {
				entry.group(request.getId().getIdPart());
			}
			entry.detail("request", request.getCompleteUrl());
		} else {
			entry.job(first(request, "_jobId"));
			if (ACTION_DOWNLOAD.equals(action)) {
				entry.file(first(request, "file"));
				entry.detail("accept", request.getHeader(Constants.HEADER_ACCEPT));
			}
		}
		return entry;
	}

	/** The job's own view of what was asked and what was released; only after a success. */
	private void enrich(AuditEntry entry, ServletRequestDetails request, int status) {
		if (status >= 400) {
			return;
		}
		if (ACTION_KICKOFF.equals(entry.action())) {
			String location = request.getServletResponse().getHeader(Constants.HEADER_CONTENT_LOCATION);
			if (location != null && location.contains("_jobId=")) {
				entry.job(location.substring(location.indexOf("_jobId=") + "_jobId=".length()));
			}
		}
		if (entry.jobId() == null || ACTION_DELETE.equals(entry.action())) {
			return;
		}
		Optional<ExportJob> job = jobs.findAny(entry.jobId());
		if (job.isEmpty()) {
			return;
		}
		ExportJobParameters params = job.get().parameters();
		entry.group(params.getGroupId());
		if (ACTION_KICKOFF.equals(entry.action())) {
			entry.detail("level", params.getLevel().name())
					.detail("types", params.getTypes())
					.detail("since", params.getSince() == null ? null : java.time.Instant.ofEpochMilli(params.getSince()).toString())
					.detail("until", params.getUntil() == null ? null : java.time.Instant.ofEpochMilli(params.getUntil()).toString())
					.detail("typeFilters", params.getTypeFilters().isEmpty() ? null : params.getTypeFilters())
					.detail("elements", params.getElements().isEmpty() ? null : params.getElements())
					.detail("outputFormat", params.getOutputFormat())
					.detail("request", params.getRequestUrl());
			if (!params.getPatientIds().isEmpty()) {
				// The patient parameter: the patients named (all checked to be members or to exist), a count only.
				entry.patients(params.getPatientIds().size());
			} else if (params.getGroupId() != null) {
				// The Group's active Patient members at the transaction time: a count, never their ids.
				entry.patients(groupMembers.activePatientIds(params.getGroupId(), params.getTransactionTime()).size());
			}
			return;
		}
		ExportReport report = job.get().report();
		if (report == null) {
			return;
		}
		if (ACTION_STATUS.equals(entry.action())) {
			entry.detail("files", report.getFiles().size()).detail("resources", report.totalResources());
		} else if (ACTION_DOWNLOAD.equals(entry.action())) {
			report.getFiles().stream()
					.filter(f -> f.getName().equals(entry.fileName()))
					.findFirst()
					.ifPresent(f -> entry.detail("type", f.getType()).detail("resources", f.getCount()));
		}
	}

	private void token(ServletRequestDetails request) {
		HttpServletRequest servlet = request.getServletRequest();
		int status = request.getServletResponse().getStatus();
		Object verified = servlet.getAttribute(TOKEN_CLIENT);
		AuditEntry entry = AuditEntry.of(status == 200 ? "token.issue" : "token.refuse");
		if (verified != null) {
			entry.actor(AuditEntry.ACTOR_CLIENT, verified.toString()).client(verified.toString());
		} else {
			String claimed = claimedClient(servlet.getParameter("client_assertion"));
			entry.actor(claimed == null ? null : AuditEntry.ACTOR_CLAIMED_CLIENT, claimed);
		}
		source.stamp(entry, servlet);
		entry.detail("scope", servlet.getParameter("scope"));
		entry.detail("granted", servlet.getAttribute(TOKEN_GRANTED));
		Object refusal = servlet.getAttribute(TOKEN_REFUSAL);
		entry.outcome(status, refusal == null ? null : refusal.toString());
		try {
			trail.insert(entry);
		} catch (RuntimeException e) {
			AuditTrail.failed(entry, e);
		}
	}

	/** The unverified {@code iss} of a refused assertion: what it claimed, for the security team. */
	private static String claimedClient(String assertion) {
		if (assertion == null || assertion.length() > 16_384) {
			return null;
		}
		try {
			String issuer = JWTParser.parse(assertion).getJWTClaimsSet().getIssuer();
			return issuer == null ? null : AuditTrail.cut(issuer, 200);
		} catch (Exception unreadable) {
			return null;
		}
	}

	private static String clientId(RequestDetails request) {
		Object id = request.getUserData().get(BearerTokenInterceptor.VERIFIED_CLIENT_KEY);
		return id == null ? null : id.toString();
	}

	static String action(RequestDetails request) {
		if (!OPERATION_TYPES.contains(request.getRestOperationType()) || request.getOperation() == null) {
			return null;
		}
		return switch (request.getOperation()) {
			case ExportKickoffProvider.OPERATION -> ACTION_KICKOFF;
			case ExportResponses.FILE_OPERATION -> ACTION_DOWNLOAD;
			case ExportResponses.STATUS_OPERATION ->
					request.getRequestType() == RequestTypeEnum.DELETE ? ACTION_DELETE : ACTION_STATUS;
			default -> null;
		};
	}

	private static String first(RequestDetails request, String name) {
		String[] values = request.getParameters() == null ? null : request.getParameters().get(name);
		return values == null || values.length == 0 ? null : AuditTrail.cut(values[0], 300);
	}

	private static void refuse(RequestDetails request, HttpServletResponse response) throws IOException {
		String reference = ErrorReference.next();
		LOG.error("Refused a bulk request because its audit entry could not be written (reference {})", reference);
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.TRANSIENT)
				.setDiagnostics("The server cannot record this request in its audit trail, so it does not serve it"
						+ " (" + ErrorReference.pointer(reference) + "); try again later");
		response.setStatus(503);
		response.setHeader("Retry-After", "60");
		response.setContentType(Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding("UTF-8");
		request.getFhirContext().newJsonParser().encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().flush();
	}
}
