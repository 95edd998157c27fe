package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.bulkfhir.export.ExportCaller;
import org.bulkfhir.export.ExportResponses;

import java.util.Optional;
import java.util.Set;

/**
 * Every bulk endpoint (kick-off, status, delete, download) needs a valid bearer token of a System
 * app. No or bad token: 401 with {@code WWW-Authenticate: Bearer} (never 403: that is for valid
 * tokens of the wrong kind). Patient and User apps: 403. The caller and the types its scopes allow
 * are handed to the export on the request.
 */
@Interceptor
public class BulkAuthorizationInterceptor {

	private static final Set<String> BULK_OPERATIONS =
			Set.of("$export", ExportResponses.STATUS_OPERATION, ExportResponses.FILE_OPERATION);

	private final AccessTokens tokens;

	public BulkAuthorizationInterceptor(AccessTokens tokens) {
		this.tokens = tokens;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void authorize(RequestDetails request, RestOperationTypeEnum operation) {
		if (!isBulk(request, operation)) {
			return;
		}
		Caller caller = bearer(request.getHeader("Authorization"))
				.flatMap(tokens::verify)
				.orElseThrow(BulkAuthorizationInterceptor::unauthenticated);
		if (caller.appType() != AppType.SYSTEM) {
			throw new ForbiddenOperationException("Bulk data export is only for System applications (SMART Backend"
					+ " Services); this token belongs to a " + caller.appType().code() + " app");
		}
		Set<String> readable = Scopes.readableTypes(caller.scopes());
		if (readable != null && readable.isEmpty()) {
			throw new ForbiddenOperationException("The token has no system-level read scope (e.g. system/*.read)");
		}
		request.getUserData().put(ExportCaller.CLIENT_ID_KEY, caller.clientId());
		request.getUserData().put(ExportCaller.ALLOWED_TYPES_KEY, readable);
	}

	private static boolean isBulk(RequestDetails request, RestOperationTypeEnum operation) {
		return (operation == RestOperationTypeEnum.EXTENDED_OPERATION_SERVER
						|| operation == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
						|| operation == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE)
				&& BULK_OPERATIONS.contains(request.getOperation());
	}

	private static Optional<String> bearer(String header) {
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return Optional.empty();
		}
		String token = header.substring(7).strip();
		return token.isEmpty() ? Optional.empty() : Optional.of(token);
	}

	private static AuthenticationException unauthenticated() {
		AuthenticationException e = new AuthenticationException(
				"Bulk data export needs a valid access token: send 'Authorization: Bearer <token>' obtained from the"
						+ " token endpoint (see [base]/.well-known/smart-configuration)");
		e.addResponseHeader("WWW-Authenticate", "Bearer realm=\"bulkfhir\"");
		return e;
	}
}
