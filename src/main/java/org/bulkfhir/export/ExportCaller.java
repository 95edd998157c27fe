package org.bulkfhir.export;

import ca.uhn.fhir.rest.api.server.RequestDetails;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling a bulk endpoint, as the authorization layer recorded it on the request: the
 * client and the resource types its scopes allow ({@code allowedTypes} null: every type). With
 * authorization switched off there is no caller, and jobs are not tied to clients.
 */
public record ExportCaller(String clientId, Set<String> allowedTypes) {

	/** Request user-data key under which the authorization interceptor stores the caller. */
	public static final String KEY = "bulkfhir.exportCaller";

	public ExportCaller {
		allowedTypes = allowedTypes == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(allowedTypes));
	}

	/** Records this caller on the request for the export providers. */
	public void attachTo(RequestDetails request) {
		request.getUserData().put(KEY, this);
	}

	/** The caller the authorization layer recorded, if any. */
	public static Optional<ExportCaller> of(RequestDetails request) {
		return Optional.ofNullable((ExportCaller) request.getUserData().get(KEY));
	}

	/** The types the caller may export, or null when it may export every type (or nobody is recorded). */
	public static Set<String> allowedTypes(RequestDetails request) {
		return of(request).map(ExportCaller::allowedTypes).orElse(null);
	}

	public static String clientId(RequestDetails request) {
		return of(request).map(ExportCaller::clientId).orElse(null);
	}
}
