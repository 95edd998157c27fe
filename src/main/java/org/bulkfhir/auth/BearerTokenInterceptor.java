package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.export.ExportCaller;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.export.ExportResponses;
import org.hl7.fhir.r4.model.OperationOutcome;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Establishes who calls from the bearer token. Every bulk endpoint (kick-off, status, delete,
 * download) needs a valid token of a System app; with {@code protectFhirApi}, so does every other
 * FHIR interaction but {@code metadata} (what the token's scopes allow there is then decided by
 * {@link ScopeAuthorizationInterceptor}). No or bad token: 401 with {@code WWW-Authenticate: Bearer}
 * (never 403: that is for valid tokens of the wrong kind). Patient and User apps: 403, as their
 * launch context is not supported.
 *
 * <p>Refusals are written here rather than thrown (see {@link Refusal}).
 */
@Interceptor
public class BearerTokenInterceptor {

	private static final String CALLER_KEY = Caller.class.getName();
	/** Request user data: the client id of a verified token, also when the request is then refused (audit). */
	public static final String VERIFIED_CLIENT_KEY = "bulkfhir.verifiedClientId";
	private static final Set<String> BULK_OPERATIONS =
			Set.of(ExportKickoffProvider.OPERATION, ExportResponses.STATUS_OPERATION, ExportResponses.FILE_OPERATION);
	private static final Set<RestOperationTypeEnum> OPERATION_TYPES = Set.of(
			RestOperationTypeEnum.EXTENDED_OPERATION_SERVER,
			RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
			RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

	private final AccessTokens tokens;
	private final boolean protectFhirApi;

	public BearerTokenInterceptor(AccessTokens tokens, boolean protectFhirApi) {
		this.tokens = tokens;
		this.protectFhirApi = protectFhirApi;
	}

	/** The caller a valid token established for this request, or null. */
	public static Caller caller(RequestDetails request) {
		return (Caller) request.getUserData().get(CALLER_KEY);
	}

	/** Returns false (and has answered) when the request is refused. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean authorize(RequestDetails request, HttpServletResponse response) throws IOException {
		boolean bulk = OPERATION_TYPES.contains(request.getRestOperationType())
				&& BULK_OPERATIONS.contains(request.getOperation());
		if (!bulk && (!protectFhirApi || request.getRestOperationType() == RestOperationTypeEnum.METADATA)) {
			return true;
		}
		Optional<Caller> caller = bearer(request.getHeader(Constants.HEADER_AUTHORIZATION)).flatMap(tokens::verify);
		if (caller.isEmpty()) {
			response.setHeader("WWW-Authenticate", "Bearer realm=\"bulkfhir\"");
			return Refusal.write(request, response, 401, OperationOutcome.IssueType.LOGIN, (bulk ? "Bulk data export" : "This server")
					+ " needs a valid access token: send 'Authorization: Bearer <token>' obtained from the token"
					+ " endpoint (see [base]/.well-known/smart-configuration)");
		}
		request.getUserData().put(VERIFIED_CLIENT_KEY, caller.get().clientId());
		if (caller.get().appType() != AppType.SYSTEM) {
			return Refusal.write(request, response, 403, OperationOutcome.IssueType.FORBIDDEN, (bulk
							? "Bulk data export is only for System applications (SMART Backend Services)"
							: "This server serves System applications (SMART Backend Services) only; the launch"
									+ " context of Patient and User apps is not supported")
					+ "; this token belongs to a " + caller.get().appType().code() + " app");
		}
		if (bulk) {
			Set<String> readable = Scopes.readableTypes(caller.get().scopes());
			if (readable != null && readable.isEmpty()) {
				return Refusal.write(request, response, 403, OperationOutcome.IssueType.FORBIDDEN,
						"The token has no system-level read scope (e.g. system/*.read)");
			}
			new ExportCaller(caller.get().clientId(), readable).attachTo(request);
		}
		request.getUserData().put(CALLER_KEY, caller.get());
		return true;
	}

	private static Optional<String> bearer(String header) {
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return Optional.empty();
		}
		String token = header.substring(7).strip();
		return token.isEmpty() ? Optional.empty() : Optional.of(token);
	}
}
