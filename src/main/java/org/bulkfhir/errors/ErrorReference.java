package org.bulkfhir.errors;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The correlation id of an internal error: the client gets a generic message with the reference,
 * the server log gets the detail under the same reference, so an operator can find one from the
 * other without the client ever seeing paths, SQL or exception text.
 */
public final class ErrorReference {

	private static final SecureRandom RANDOM = new SecureRandom();

	private ErrorReference() {}

	/** A new reference: 16 lower-case hex digits (64 random bits). */
	public static String next() {
		byte[] bytes = new byte[8];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	/** The text a client gets for an internal error. */
	public static String clientMessage(String reference) {
		return "Internal server error (" + pointer(reference) + ")";
	}

	/** Where the details are: "reference R; the server log has the details under this reference". */
	public static String pointer(String reference) {
		return "reference " + reference + "; the server log has the details under this reference";
	}
}
