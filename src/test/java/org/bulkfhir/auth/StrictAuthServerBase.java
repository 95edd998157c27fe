package org.bulkfhir.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.bulkfhir.server.BulkFhirServerApplication;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.JwksServer;
import org.bulkfhir.support.TestApps;
import org.bulkfhir.support.TestDatabase;
import org.bulkfhir.support.TestPort;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.UUID;

/**
 * A server with the production default for {@code jwksUri} (no loopback), an external token
 * issuer (a {@link JwksServer} on loopback standing in for e.g. Keycloak), a token-signing key from
 * a file, and a short token lifetime so that key rotation can be watched to its end. The classes
 * that extend this share one server.
 */
@SpringBootTest(
		classes = BulkFhirServerApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
		properties = {
			"bulkfhir.admin.password=" + TestApps.ADMIN_PASSWORD,
			"bulkfhir.auth.token-lifetime=PT20S",
			"bulkfhir.auth.external.issuer=" + StrictAuthServerBase.IDP_ISSUER,
			"bulkfhir.auth.external.audience=" + StrictAuthServerBase.IDP_AUDIENCE,
			"logging.level.ca.uhn.fhir.batch2=WARN"
		})
abstract class StrictAuthServerBase {

	static final String IDP_ISSUER = "https://idp.example/realms/bulk";
	static final String IDP_AUDIENCE = "bulkfhir-api";
	static final Path DATA_DIR = Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	static final Path SIGNING_KEY_FILE = DATA_DIR.resolve("signing-key.pem");
	static final RSAKey IDP_KEY = rsa("idp-key-1");
	static final RSAKey FIRST_SIGNING_KEY = rsa(null);
	static final JwksServer IDP = idp();

	@LocalServerPort
	protected int port;

	protected TestApps apps;

	@DynamicPropertySource
	static void strictServer(DynamicPropertyRegistry registry) {
		TestDatabase.register(registry, DATA_DIR);
		TestPort.register(registry);
		registry.add("bulkfhir.auth.external.jwks-uri", IDP::url);
		writeSigningKey(pem(FIRST_SIGNING_KEY));
		registry.add("bulkfhir.auth.signing-key-file", SIGNING_KEY_FILE::toString);
	}

	@BeforeEach
	void setUpApps() {
		apps = new TestApps(base());
	}

	protected String base() {
		return "http://localhost:" + port + "/fhir";
	}

	protected BulkClient client(String token) {
		return new BulkClient(base()).withToken(() -> token);
	}

	/** Replaces the signing key file the way an operator would: write aside, then move over it. */
	static void writeSigningKey(String content) {
		try {
			Files.createDirectories(DATA_DIR);
			Path next = DATA_DIR.resolve("signing-key.next");
			Files.writeString(next, content, StandardCharsets.US_ASCII);
			Files.move(next, SIGNING_KEY_FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static String pem(RSAKey key) {
		try {
			return "-----BEGIN PRIVATE KEY-----\n"
					+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
							.encodeToString(key.toPrivateKey().getEncoded())
					+ "\n-----END PRIVATE KEY-----\n";
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	static RSAKey rsa(String kid) {
		try {
			RSAKeyGenerator generator = new RSAKeyGenerator(2048);
			return (kid == null ? generator : generator.keyID(kid)).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	private static JwksServer idp() {
		try {
			return new JwksServer(IDP_KEY);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
