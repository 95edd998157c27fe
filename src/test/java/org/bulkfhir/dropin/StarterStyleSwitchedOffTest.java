package org.bulkfhir.dropin;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.bulkfhir.support.BulkClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drop-in jar on a host's classpath with {@code bulkfhir.enabled=false}: not one bean of the plugin
 * (no pacer, purge, heartbeat, SMART endpoints, CapabilityStatement changes, admin pages or tables), and
 * the host's own server, stock bulk export included, works as without the jar.
 */
@SpringBootTest(classes = StarterStyleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@TestPropertySource(
		locations = "classpath:org/bulkfhir/dropin/starter-style.properties",
		properties = "bulkfhir.enabled=false")
class StarterStyleSwitchedOffTest {

	private static final Path DATA_DIR = StarterStyleStorage.newDataDirectory();

	@LocalServerPort
	int port;

	@Autowired
	ConfigurableApplicationContext context;

	@Autowired
	RestfulServer restfulServer;

	@DynamicPropertySource
	static void isolatedStorage(DynamicPropertyRegistry registry) {
		StarterStyleStorage.register(registry, DATA_DIR);
	}

	@Test
	void noBeanOfThePluginExists() {
		assertThat(Arrays.stream(context.getBeanFactory().getBeanDefinitionNames())
				.filter(name -> {
					String type = context.getBeanFactory().getBeanDefinition(name).getBeanClassName();
					Class<?> beanType = context.getType(name);
					return name.startsWith("bulkfhir")
							|| (beanType != null && beanType.getName().startsWith("org.bulkfhir.")
									&& !beanType.getName().startsWith("org.bulkfhir.dropin."))
							|| (type != null && type.startsWith("org.bulkfhir.") && !type.startsWith("org.bulkfhir.dropin."));
				}))
				.isEmpty();
		assertThat(restfulServer.getPlainProviders())
				.as("the host's stock bulk export is the only $export")
				.anyMatch(BulkDataExportProvider.class::isInstance)
				.noneMatch(provider -> provider.getClass().getName().startsWith("org.bulkfhir."));
	}

	@Test
	void theHostAnswersAsWithoutThePlugin() throws Exception {
		BulkClient client = new BulkClient("http://localhost:" + port + "/fhir");
		HttpResponse<String> poll = client.send(client.request("$export-poll-status?_jobId=unknown").GET().build());
		assertThat(poll.statusCode()).as(poll.body()).isEqualTo(404);
		assertThat(poll.body()).as("HAPI's own provider answered").contains("HAPI-2040");

		HttpResponse<String> metadata = client.send(client.request("metadata").GET().build());
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(metadata.body()).as("no SMART token endpoint advertised").doesNotContain("/auth/token");

		HttpResponse<String> smart = client.send(client.request(".well-known/smart-configuration").GET().build());
		assertThat(smart.statusCode()).isGreaterThanOrEqualTo(400);

		BulkClient site = new BulkClient("http://localhost:" + port);
		assertThat(site.send(site.request("admin/api/jobs").GET().build()).statusCode()).isEqualTo(404);
	}
}
