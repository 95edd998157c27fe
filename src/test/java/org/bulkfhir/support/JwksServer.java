package org.bulkfhir.support;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes an app's public key at a JWKS URL on loopback, as an app's own web server would.
 * Counts the requests it answers, and can answer with a redirect instead.
 */
public class JwksServer implements AutoCloseable {

	private final HttpServer server;
	private final AtomicInteger requests = new AtomicInteger();

	public JwksServer(JWK key) throws IOException {
		this(new JWKSet(key.toPublicJWK()).toString(), null);
	}

	/** Answers every request with a 302 to {@code location}. */
	public static JwksServer redirectingTo(String location) throws IOException {
		return new JwksServer(null, location);
	}

	private JwksServer(String jwksJson, String redirectLocation) throws IOException {
		byte[] jwks = jwksJson == null ? new byte[0] : jwksJson.getBytes(StandardCharsets.UTF_8);
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		server.createContext("/jwks.json", exchange -> {
			requests.incrementAndGet();
			if (redirectLocation != null) {
				exchange.getResponseHeaders().add("Location", redirectLocation);
				exchange.sendResponseHeaders(302, -1);
			} else {
				exchange.getResponseHeaders().add("Content-Type", "application/json");
				exchange.sendResponseHeaders(200, jwks.length);
				exchange.getResponseBody().write(jwks);
			}
			exchange.close();
		});
		server.start();
	}

	public String url() {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
	}

	/** How many requests this server has answered. */
	public int requests() {
		return requests.get();
	}

	@Override
	public void close() {
		server.stop(0);
	}
}
