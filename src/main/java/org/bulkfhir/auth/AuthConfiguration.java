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
	public ClientRegistry bulkfhirClientRegistry(NamedParameterJdbcTemplate bulkfhirJdbc, BulkFhirProperties properties) {
		return new ClientRegistry(bulkfhirJdbc.getJdbcTemplate(), properties.getClients());
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
		BulkFhirProperties.Auth auth = properties.getAuth();
		List<Object> interceptors = new ArrayList<>();
		interceptors.add(endpoints);
		interceptors.add(new CapabilityStatementCustomizer(auth.isEnabled()));
		if (auth.isEnabled()) {
			interceptors.add(new BearerTokenInterceptor(tokens, auth.isProtectFhirApi()));
			if (auth.isProtectFhirApi()) {
				interceptors.add(new ScopeAuthorizationInterceptor());
			}
		}
		return new RestfulServerRegistrar(List.of(), interceptors);
	}

	@Bean
	public FhirApiProtectionCheck bulkfhirFhirApiProtectionCheck(BulkFhirProperties properties) {
		return new FhirApiProtectionCheck(properties.getAuth().isEnabled(), properties.getAuth().isProtectFhirApi());
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
