package org.bulkfhir.support;

import org.springframework.test.context.DynamicPropertyRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A free port for a test server, chosen before it starts, so that its public FHIR base
 * ({@code bulkfhir.public-base-url}, the {@code aud} of client assertions) is known up front.
 * Use with {@code webEnvironment = DEFINED_PORT}.
 */
public final class TestPort {

	private TestPort() {}

	/** Registers {@code server.port} and {@code bulkfhir.public-base-url = http://localhost:<port>/fhir}. */
	public static void register(DynamicPropertyRegistry registry) {
		int port = registerServerPort(registry);
		registry.add("bulkfhir.public-base-url", () -> "http://localhost:" + port + "/fhir");
	}

	/** Registers only {@code server.port}: the public base URL is left to its default. */
	public static int registerServerPort(DynamicPropertyRegistry registry) {
		int port = free();
		registry.add("server.port", () -> port);
		return port;
	}

	public static int free() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
