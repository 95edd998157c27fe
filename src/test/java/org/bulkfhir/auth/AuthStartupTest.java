package org.bulkfhir.auth;

import org.bulkfhir.config.AuthConfiguration;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import org.bulkfhir.settings.BulkFhirProperties;
import org.bulkfhir.support.TestApps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settings that must stop the server at start-up, with a message that says what to fix: the auth
 * beans of {@link AuthConfiguration} started on their own, bound from properties as in a host.
 */
class AuthStartupTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
			.withUserConfiguration(Host.class, AuthConfiguration.class)
			.withPropertyValues("bulkfhir.public-base-url=https://fhir.example.org/fhir");

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(BulkFhirProperties.class)
	static class Host {
		@Bean
		NamedParameterJdbcTemplate bulkfhirJdbc() {
			DriverManagerDataSource dataSource = new DriverManagerDataSource(
					"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
			new org.bulkfhir.schema.BulkFhirSchema(dataSource);
			return new NamedParameterJdbcTemplate(dataSource);
		}
	}

	@Test
	void theDefaultsStart() {
		runner.run(context -> assertThat(context).hasNotFailed());
	}

	@Test
	void aConfiguredClientWithAPrivateKeyStopsTheServer() throws Exception {
		String privateJwks = new JWKSet(TestApps.rsaKey()).toString(false);
		assertStartFails(client("jwks=" + privateJwks), "private", "leaked");
	}

	@Test
	void aConfiguredClientWithAQueryScopeStopsTheServer() {
		assertStartFails(new String[] {
			"bulkfhir.clients[0].client-id=lab",
			"bulkfhir.clients[0].jwks-uri=https://lab.example.org/jwks.json",
			"bulkfhir.clients[0].scopes=system/Observation.rs?category=laboratory"
		}, "system/Observation.rs?category=laboratory");
	}

	@Test
	void aConfiguredClientWithAnUnsafeJwksUriStopsTheServer() {
		for (String uri : new String[] {
			"http://lab.example.org/jwks.json", "https://169.254.169.254/latest/meta-data/", "https://127.0.0.1/jwks"
		}) {
			assertStartFails(client("jwks-uri=" + uri), "jwksUri");
		}
	}

	@Test
	void aConfiguredClientWithAWeakRsaKeyStopsTheServer() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(1024);
		RSAKey weak = new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID("w").build();
		assertStartFails(client("jwks=" + new JWKSet(weak)), "2048");
	}

	@Test
	void anExternalIssuerWithoutAnAudienceStopsTheServer() {
		assertStartFails(new String[] {
			"bulkfhir.auth.external.issuer=https://idp.example/realms/bulk",
			"bulkfhir.auth.external.jwks-uri=https://idp.example/realms/bulk/certs"
		}, "bulkfhir.auth.external.audience");
	}

	@Test
	void anUnusableSigningKeyFileStopsTheServer(@TempDir Path dir) throws Exception {
		Path missing = dir.resolve("missing.pem");
		assertStartFails(new String[] {"bulkfhir.auth.signing-key-file=" + missing}, "bulkfhir.auth.signing-key-file");

		Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
		assertStartFails(new String[] {"bulkfhir.auth.signing-key-file=" + garbage}, "bulkfhir.auth.signing-key-file");

		Path publicOnly = Files.writeString(dir.resolve("public.json"), TestApps.rsaKey().toPublicJWK().toJSONString());
		assertStartFails(new String[] {"bulkfhir.auth.signing-key-file=" + publicOnly}, "private");
	}

	@Test
	void aPublicBaseUrlThatIsNotAnAbsoluteHttpUrlStopsTheServer() {
		for (String url : new String[] {"fhir.example.org/fhir", "https://fhir.example.org/fhir?x=1", "ftp://a/fhir"}) {
			assertStartFails(new String[] {"bulkfhir.public-base-url=" + url}, "bulkfhir.public-base-url");
		}
	}

	private static String[] client(String keySetting) {
		return new String[] {
			"bulkfhir.clients[0].client-id=configured",
			"bulkfhir.clients[0]." + keySetting,
			"bulkfhir.clients[0].scopes=system/*.read"
		};
	}

	private void assertStartFails(String[] properties, String... messageParts) {
		runner.withPropertyValues(properties).run(context -> {
			assertThat(context).as(String.join(" ", properties)).hasFailed();
			Throwable root = context.getStartupFailure();
			while (root.getCause() != null) {
				root = root.getCause();
			}
			assertThat(root.getMessage()).as(String.join(" ", properties)).contains(messageParts);
		});
	}
}
