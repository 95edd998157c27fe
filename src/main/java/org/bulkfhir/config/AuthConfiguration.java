package org.bulkfhir.config;

import org.bulkfhir.auth.JwksUriPolicy;
import org.bulkfhir.auth.PublicBaseUrl;
import org.bulkfhir.auth.UsedAssertions;
import org.bulkfhir.auth.FhirApiProtectionCheck;
import org.bulkfhir.auth.BearerTokenInterceptor;
import org.bulkfhir.auth.ClientAssertionVerifier;
import org.bulkfhir.auth.CapabilityStatementCustomizer;
import org.bulkfhir.auth.SmartEndpoints;
import org.bulkfhir.auth.ClientRegistry;
import org.bulkfhir.auth.ClientKeys;
import org.bulkfhir.auth.ScopeAuthorizationInterceptor;
import org.bulkfhir.auth.AccessTokens;
import org.bulkfhir.auth.ServerKey;
import org.bulkfhir.admin.AdminAccess;
import org.bulkfhir.admin.AdminClientsController;
import org.bulkfhir.settings.BulkFhirProperties;
import org.bulkfhir.lifecycle.RestfulServerRegistrar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.List;

/** SMART Backend Services: client registry, token endpoint, bearer-token enforcement on bulk endpoints. */
@Configuration(proxyBeanMethods = false)
// the hosts scan org.bulkfhir.config, so a class here carries the plugin's switch itself
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class AuthConfiguration {

	private static final Logger LOG = LoggerFactory.getLogger(AuthConfiguration.class);

	@Bean
	public PublicBaseUrl bulkfhirPublicBaseUrl(BulkFhirProperties properties, Environment environment) {
		PublicBaseUrl url = PublicBaseUrl.from(properties.publicBaseUrl(), environment);
		LOG.info("Token endpoint (the aud of client assertions): {}{}", url.tokenUrl(), url.explicit()
				? "" : "; set bulkfhir.public-base-url to the FHIR base URL clients use");
		return url;
	}

	@Bean
	public JwksUriPolicy bulkfhirJwksUriPolicy(BulkFhirProperties properties) {
		return new JwksUriPolicy(properties.auth().allowLoopbackJwksUri());
	}

	@Bean
	public ClientRegistry bulkfhirClientRegistry(
			NamedParameterJdbcTemplate bulkfhirJdbc, BulkFhirProperties properties, JwksUriPolicy jwksUris) {
		return new ClientRegistry(bulkfhirJdbc.getJdbcTemplate(), properties.clients(), jwksUris);
	}

	@Bean
	public AccessTokens bulkfhirAccessTokens(
			NamedParameterJdbcTemplate bulkfhirJdbc, ClientRegistry registry, BulkFhirProperties properties) {
		BulkFhirProperties.Auth auth = properties.auth();
		return new AccessTokens(
				new ServerKey(bulkfhirJdbc.getJdbcTemplate(), auth.signingKeyFile(), auth.tokenLifetime()),
				registry,
				auth.tokenLifetime(),
				auth.external(),
				auth.jwksTimeout());
	}

	@Bean
	public SmartEndpoints bulkfhirSmartEndpoints(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			ClientRegistry registry,
			AccessTokens tokens,
			BulkFhirProperties properties,
			JwksUriPolicy jwksUris,
			PublicBaseUrl publicBase) {
		ClientKeys keys =
				new ClientKeys(jwksUris, properties.auth().jwksTimeout(), properties.auth().jwksCache());
		UsedAssertions used =
				new UsedAssertions(bulkfhirJdbc.getJdbcTemplate(), ClientAssertionVerifier.CLOCK_SKEW_MILLIS);
		ClientAssertionVerifier verifier = new ClientAssertionVerifier(registry, keys, used, publicBase.tokenUrl());
		return new SmartEndpoints(verifier, tokens, publicBase);
	}

	@Bean
	public RestfulServerRegistrar bulkfhirAuthRegistrar(
			SmartEndpoints endpoints, AccessTokens tokens, BulkFhirProperties properties, PublicBaseUrl publicBase) {
		BulkFhirProperties.Auth auth = properties.auth();
		List<Object> interceptors = new ArrayList<>();
		interceptors.add(endpoints);
		interceptors.add(new CapabilityStatementCustomizer(auth.enabled(), publicBase.tokenUrl()));
		if (auth.enabled()) {
			interceptors.add(new BearerTokenInterceptor(tokens, auth.protectFhirApi()));
			if (auth.protectFhirApi()) {
				interceptors.add(new ScopeAuthorizationInterceptor());
			}
		}
		return new RestfulServerRegistrar(List.of(), interceptors);
	}

	@Bean
	public FhirApiProtectionCheck bulkfhirFhirApiProtectionCheck(BulkFhirProperties properties) {
		return new FhirApiProtectionCheck(properties.auth().enabled(), properties.auth().protectFhirApi());
	}

	@Bean
	public AdminAccess bulkfhirAdminAccess(BulkFhirProperties properties) {
		return new AdminAccess(properties.admin().username(), properties.admin().password());
	}

	/** The admin check of every handler under {@code /admin}, registered with the host's Spring MVC. */
	@Bean
	public org.springframework.web.servlet.config.annotation.WebMvcConfigurer bulkfhirAdminGuard(AdminAccess access) {
		return new org.bulkfhir.admin.AdminGuard(access).configurer();
	}

	@Bean
	public org.bulkfhir.admin.AdminUiController bulkfhirAdminUiController() {
		return new org.bulkfhir.admin.AdminUiController();
	}

	@Bean
	public AdminClientsController bulkfhirAdminClientsController(ClientRegistry registry) {
		return new AdminClientsController(registry);
	}
}
