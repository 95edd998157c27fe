package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.export.ExportCaller;
import org.bulkfhir.export.ExportResponses;
import org.hl7.fhir.r4.model.OperationOutcome;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Every bulk endpoint (kick-off, status, delete, download) needs a valid bearer token of a System
 * app. No or bad token: 401 with {@code WWW-Authenticate: Bearer} (never 403: that is for valid
 * tokens of the wrong kind). Patient and User apps: 403. The caller and the types its scopes allow
 * are handed to the export on the request.
 *
 * <p>Refusals are written here and processing stops, rather than thrown: HAPI logs every exception
 * thrown by a hook as an ERROR with a stack trace, and anonymous callers could flood the log.
 */
@Interceptor
public class BulkAuthorizationInterceptor {

	private static final Set<String> BULK_OPERATIONS =
			Set.of("$export", ExportResponses.STATUS_OPERATION, ExportResponses.FILE_OPERATION);
	private static final Set<RestOperationTypeEnum> OPERATION_TYPES = Set.of(
			RestOperationTypeEnum.EXTENDED_OPERATION_SERVER,
			RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
			RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

	private final AccessTokens tokens;

	public BulkAuthorizationInterceptor(AccessTokens tokens) {
		this.tokens = tokens;
	}

	/** Returns false (and has answered) when the request is refused. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean authorize(RequestDetails request, HttpServletResponse response) throws IOException {
		if (!OPERATION_TYPES.contains(request.getRestOperationType())
				|| !BULK_OPERATIONS.contains(request.getOperation())) {
			return true;
		}
		Optional<Caller> caller = bearer(request.getHeader("Authorization")).flatMap(tokens::verify);
		if (caller.isEmpty()) {
			response.setHeader("WWW-Authenticate", "Bearer realm=\"bulkfhir\"");
			return refuse(request, response, 401, OperationOutcome.IssueType.LOGIN,
					"Bulk data export needs a valid access token: send 'Authorization: Bearer <token>' obtained"
							+ " from the token endpoint (see [base]/.well-known/smart-configuration)");
		}
		if (caller.get().appType() != AppType.SYSTEM) {
			return refuse(request, response, 403, OperationOutcome.IssueType.FORBIDDEN,
					"Bulk data export is only for System applications (SMART Backend Services); this token"
							+ " belongs to a " + caller.get().appType().code() + " app");
		}
		Set<String> readable = Scopes.readableTypes(caller.get().scopes());
		if (readable != null && readable.isEmpty()) {
			return refuse(request, response, 403, OperationOutcome.IssueType.FORBIDDEN,
					"The token has no system-level read scope (e.g. system/*.read)");
		}
		request.getUserData().put(ExportCaller.CLIENT_ID_KEY, caller.get().clientId());
		request.getUserData().put(ExportCaller.ALLOWED_TYPES_KEY, readable);
		return true;
	}

	private static boolean refuse(
			RequestDetails request,
			HttpServletResponse response,
			int status,
			OperationOutcome.IssueType type,
			String message)
			throws IOException {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(type).setDiagnostics(message);
		response.setStatus(status);
		response.setContentType(Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding("UTF-8");
		request.getFhirContext().newJsonParser().encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().flush();
		return false;
	}

	private static Optional<String> bearer(String header) {
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return Optional.empty();
		}
		String token = header.substring(7).strip();
		return token.isEmpty() ? Optional.empty() : Optional.of(token);
	}
}
