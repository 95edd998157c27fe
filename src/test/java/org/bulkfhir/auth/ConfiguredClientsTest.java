package org.bulkfhir.auth;

import org.bulkfhir.settings.BulkFhirProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample client file of hapi-config/ binds and registers as documented. */
class ConfiguredClientsTest {

	@Test
	void sampleClientFileRegistersReadOnlyClients() throws Exception {
		List<PropertySource<?>> sources = new YamlPropertySourceLoader()
				.load("sample", new FileSystemResource("hapi-config/clients/sample-client.yaml"));
		StandardEnvironment environment = new StandardEnvironment();
		sources.forEach(environment.getPropertySources()::addFirst);
		BulkFhirProperties properties =
				Binder.get(environment).bind("bulkfhir", BulkFhirProperties.class).get();

		DriverManagerDataSource dataSource = new DriverManagerDataSource("jdbc:h2:mem:clients;DB_CLOSE_DELAY=-1", "sa", "");
		new org.bulkfhir.schema.BulkFhirSchema(dataSource);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		ClientRegistry registry = new ClientRegistry(jdbc, properties.clients(), new JwksUriPolicy(false));

		RegisteredClient client = registry.find("analytics-warehouse").orElseThrow();
		assertThat(client.appType()).isEqualTo(AppType.SYSTEM);
		assertThat(client.fromConfiguration()).isTrue();
		assertThat(client.jwksUri()).startsWith("https://");
		assertThat(client.scopes()).containsExactly("system/Patient.rs", "system/Observation.rs", "system/Encounter.rs");
		assertThat(Scopes.readableTypes(client.scopes())).containsExactly("Patient", "Observation", "Encounter");
		assertThat(registry.list()).extracting(RegisteredClient::clientId).contains("analytics-warehouse");
	}
}
