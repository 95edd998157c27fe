package org.bulkfhir.auth;

/** An RFC 6749 error answer of the token endpoint. */
public class OAuthError extends RuntimeException {

	private final int status;
	private final String error;

	public OAuthError(int status, String error, String description) {
		super(description);
		this.status = status;
		this.error = error;
	}

	public static OAuthError invalidClient(String description) {
		return new OAuthError(401, "invalid_client", description);
	}

	public int status() {
		return status;
	}

	public String error() {
		return error;
	}
}
