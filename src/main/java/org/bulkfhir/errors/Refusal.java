package org.bulkfhir.errors;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;

/**
 * A deliberate refusal whose message is written for the client, with {@code Retry-After}: 429 for
 * a limit of the client's, 503 while export storage is full. Its message is kept even when the
 * status is 5xx (see {@link GenericErrorInterceptor}).
 */
public class Refusal extends BaseServerResponseException {

	private static final long serialVersionUID = 1L;

	public Refusal(int status, int retryAfterSeconds, String message) {
		super(status, message);
		addResponseHeader("Retry-After", Integer.toString(retryAfterSeconds));
	}
}
