package org.bulkfhir.auth;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A short random id that ties an error answer to its log line: the caller gets a generic message
 * ending in {@code (ref 3f2a9c0e71b4)}, the log gets the detail under the same id.
 */
public final class CorrelationId {

	private CorrelationId() {}

	/** 12 lower-case hex digits. */
	public static String next() {
		return String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL);
	}

	/** The message as shown to the caller: {@code "<message> (ref <id>)"}. */
	public static String append(String message, String id) {
		return message + " (ref " + id + ")";
	}
}
