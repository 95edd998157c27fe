package org.bulkfhir.export;

import ca.uhn.fhir.rest.api.server.RequestDetails;

/**
 * Who is calling, as the authorization layer recorded it on the request. With authorization
 * switched off there is no caller, and jobs are not tied to clients.
 */
public final class ExportCaller {

	/** Request user-data key under which the authorization interceptor stores the client id. */
	public static final String CLIENT_ID_KEY = "bulkfhir.clientId";

	/** Request user-data key for the resource types the caller's scopes allow (absent: all types). */
	public static final String ALLOWED_TYPES_KEY = "bulkfhir.allowedTypes";

	private ExportCaller() {}

	/** The types the caller may export, or null when it may export every type. */
	@SuppressWarnings("unchecked")
	public static java.util.Set<String> allowedTypes(RequestDetails request) {
		return (java.util.Set<String>) request.getUserData().get(ALLOWED_TYPES_KEY);
	}

	public static String clientId(RequestDetails request) {
		Object value = request.getUserData().get(CLIENT_ID_KEY);
		return value == null ? null : value.toString();
	}
}
