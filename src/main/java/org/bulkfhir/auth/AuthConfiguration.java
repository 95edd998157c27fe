package org.bulkfhir.auth;

import org.bulkfhir.admin.AdminAccess;
import org.bulkfhir.admin.AdminClientsController;
import org.bulkfhir.config.BulkFhirProperties;
import org.bulkfhir.config.RestfulServerRegistrar;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.List;

/** SMART Backend Services: client registry, token endpoint, bearer-token enforcement on bulk endpoints. */
@Configuration(proxyBeanMethods = false)
public class AuthConfiguration {

	@Bean
	public JwksUriPolicy bulkfhirJwksUriPolicy(BulkFhirProperties properties) {
		return new JwksUriPolicy(properties.getAuth().isAllowLoopbackJwksUri());
	}

	@Bean
	public ClientRegistry bulkfhirClientRegistry(
			NamedParameterJdbcTemplate bulkfhirJdbc, BulkFhirProperties properties, JwksUriPolicy jwksUris) {
		return new ClientRegistry(bulkfhirJdbc.getJdbcTemplate(), properties.getClients(), jwksUris);
	}

	@Bean
	public AccessTokens bulkfhirAccessTokens(
			NamedParameterJdbcTemplate bulkfhirJdbc, ClientRegistry registry, BulkFhirProperties properties) {
		return new AccessTokens(
				new ServerKey(bulkfhirJdbc.getJdbcTemplate()),
				registry,
				properties.getAuth().getTokenLifetime(),
				properties.getAuth().getExternal());
	}

	@Bean
	public SmartEndpoints bulkfhirSmartEndpoints(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			ClientRegistry registry,
			AccessTokens tokens,
			BulkFhirProperties properties) {
		ClientKeys keys = new ClientKeys(properties.getAuth().getJwksTimeout(), properties.getAuth().getJwksCache());
		ClientAssertionVerifier verifier =
				new ClientAssertionVerifier(registry, keys, new UsedAssertions(bulkfhirJdbc.getJdbcTemplate()));
		return new SmartEndpoints(verifier, tokens);
	}

	@Bean
	public RestfulServerRegistrar bulkfhirAuthRegistrar(
			SmartEndpoints endpoints, AccessTokens tokens, BulkFhirProperties properties) {
		boolean enabled = properties.getAuth().isEnabled();
		List<Object> interceptors = new ArrayList<>();
		interceptors.add(endpoints);
		interceptors.add(new CapabilityStatementCustomizer(enabled));
		if (enabled) {
			interceptors.add(new BulkAuthorizationInterceptor(tokens));
		}
		return new RestfulServerRegistrar(List.of(), interceptors);
	}

	@Bean
	public AdminAccess bulkfhirAdminAccess(BulkFhirProperties properties) {
		return new AdminAccess(properties.getAdmin().getUsername(), properties.getAdmin().getPassword());
	}

	@Bean
	public org.bulkfhir.admin.AdminUiController bulkfhirAdminUiController(AdminAccess access) {
		return new org.bulkfhir.admin.AdminUiController(access);
	}

	@Bean
	public AdminClientsController bulkfhirAdminClientsController(ClientRegistry registry, AdminAccess access) {
		return new AdminClientsController(registry, access);
	}
}
