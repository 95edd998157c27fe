package org.bulkfhir.auth;

/**
 * An RFC 6749 error answer of the token endpoint. The description is what the caller sees; the
 * detail, if any, only goes to the log (under the correlation id the answer carries).
 */
public class OAuthError extends RuntimeException {

	/** The one description of every failed client authentication that could reveal the registry. */
	public static final String CLIENT_AUTHENTICATION_FAILED =
			"client authentication failed: the client, its keys or the signature are not acceptable";

	private final int status;
	private final String error;
	private final String detail;

	public OAuthError(int status, String error, String description) {
		this(status, error, description, null);
	}

	private OAuthError(int status, String error, String description, String detail) {
		super(description);
		this.status = status;
		this.error = error;
		this.detail = detail;
	}

	/** A claim-shape problem that says nothing about the registry: the caller may know which. */
	public static OAuthError invalidClient(String description) {
		return new OAuthError(401, "invalid_client", description);
	}

	/**
	 * Unknown or disabled client, keys not found or not fetched, bad signature: all look the same to
	 * the caller, so that nobody can probe which client ids exist.
	 */
	public static OAuthError clientAuthenticationFailed(String detail) {
		return new OAuthError(401, "invalid_client", CLIENT_AUTHENTICATION_FAILED, detail);
	}

	public static OAuthError invalidRequest(String description) {
		return new OAuthError(400, "invalid_request", description);
	}

	public int status() {
		return status;
	}

	public String error() {
		return error;
	}

	/** What the log gets on top of the description; null when the description says it all. */
	public String detail() {
		return detail;
	}
}
