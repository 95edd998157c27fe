package org.bulkfhir.dropin;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.config.BulkFhirConfiguration;
import org.bulkfhir.lifecycle.RestfulServerRegistrar;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.TestApps;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drop-in story: a jpaserver-starter-style host with HAPI's own bulk export switched on gets
 * bulkfhir from {@code hapi.fhir.custom-bean-packages=org.bulkfhir.config} alone, with bean
 * overriding forbidden, and serves a complete, authorized Group export over HTTP.
 */
@SpringBootTest(classes = StarterStyleApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@TestPropertySource(locations = "classpath:org/bulkfhir/dropin/starter-style.properties")
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StarterStyleContextTest {

	private static final Path DATA_DIR = StarterStyleStorage.newDataDirectory();

	@LocalServerPort
	int port;

	@Autowired
	ConfigurableApplicationContext context;

	@Autowired
	RestfulServer restfulServer;

	private static java.util.function.Supplier<String> tokens;

	/** A client of a System app registered through the admin API, with real tokens. */
	private BulkClient authorizedClient() throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		synchronized (StarterStyleContextTest.class) {
			if (tokens == null) {
				TestApps apps = new TestApps(base);
				tokens = apps.tokens(apps.register("system", "system/*.read"), "system/*.read");
			}
		}
		return new BulkClient(base).withToken(tokens);
	}

	@DynamicPropertySource
	static void isolatedStorage(DynamicPropertyRegistry registry) {
		StarterStyleStorage.register(registry, DATA_DIR);
	}

	@Test
	@Order(1)
	void componentScanOfTheConfigPackageAloneActivatesThePluginOnce() {
		assertThat(context.getBeanNamesForType(BulkFhirConfiguration.class)).hasSize(1);
		assertThat(pluginBeanNames()).isNotEmpty().allMatch(name -> name.startsWith("bulkfhir"));
		assertThat(restfulServer.getPlainProviders())
				.filteredOn(ExportKickoffProvider.class::isInstance)
				.hasSize(1);
		assertThat(restfulServer.getPlainProviders())
				.as("stock bulk export registered by the host")
				.filteredOn(BulkDataExportProvider.class::isInstance)
				.hasSize(1);
	}

	@Test
	@Order(1)
	void anUnprotectedHostFhirApiIsReportedAtStartUp(CapturedOutput output) throws Exception {
		assertThat(output.getAll()).contains("has no AuthorizationInterceptor")
				.contains("bulkfhir.auth.protect-fhir-api=true");
		BulkClient anonymous = new BulkClient("http://localhost:" + port + "/fhir");
		assertThat(anonymous.send(anonymous.request("Patient").GET().build()).statusCode())
				.as("the host's API stays as the host configured it").isEqualTo(200);
	}

	@Test
	@Order(2)
	void groupExportRunsEndToEndOverHttp() throws Exception {
		BulkClient client = authorizedClient();
		client.transaction(DropInTestData.transaction());

		String statusUrl = client.start("Group/g1/$export");
		assertThat(statusUrl).as("served by bulkfhir, not HAPI's provider").contains("/$export-status?_jobId=");
		HttpResponse<String> done = client.poll(statusUrl, Duration.ofSeconds(60));
		assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
		JsonNode manifest = BulkClient.JSON.readTree(done.body());

		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		assertThat(BulkClient.counts(exported)).isEqualTo(DropInTestData.GROUP_COUNTS);
		assertThat(BulkClient.ids(exported.get("Patient"))).containsExactly("p0", "p1", "p2", "p3", "p4", "p5");
		assertThat(BulkClient.ids(exported.get("Practitioner"))).containsExactly("pr1");
		try (var files = Files.list(DATA_DIR.resolve("exports"))) {
			assertThat(files.count()).as("export files under the configured directory").isEqualTo(1);
		}
	}

	@Test
	@Order(3)
	void stockBulkExportStaysReachableAtItsOwnOperations() throws Exception {
		BulkClient client = new BulkClient("http://localhost:" + port + "/fhir");
		HttpResponse<String> poll = client.send(client.request("$export-poll-status?_jobId=unknown").GET().build());
		assertThat(poll.statusCode()).as(poll.body()).isEqualTo(404);
		assertThat(poll.body()).contains("HAPI-2040");
	}

	@Test
	@Order(4)
	void bulkfhirWinsEvenWhenStockExportIsRegisteredAfterIt() throws Exception {
		BulkDataExportProvider lateStock = new BulkDataExportProvider();
		context.getAutowireCapableBeanFactory().autowireBean(lateStock);
		restfulServer.registerProvider(lateStock);
		BulkClient client = authorizedClient();
		assertThat(client.start("Patient/$export?_type=Patient"))
				.as("the newest registration answers until the registrar puts bulkfhir first again")
				.contains("/$export-poll-status?_jobId=");

		context.getBean("bulkfhirRestfulServerRegistrar", RestfulServerRegistrar.class).register(restfulServer);
		for (String kickOff : List.of("$export?_type=Patient", "Patient/$export?_type=Patient", "Group/g1/$export")) {
			assertThat(client.start(kickOff)).as(kickOff).contains("/$export-status?_jobId=");
		}
	}

	@Test
	@Order(5)
	void metricsAndHealthJoinTheHostsMicrometerRegistryAndActuator() {
		io.micrometer.core.instrument.MeterRegistry registry =
				context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
		assertThat(registry.find("bulkfhir.exports.completed").tag("level", "group").counters())
				.as("the Group export of this host was counted in the host's registry")
				.isNotEmpty()
				.allSatisfy(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
		assertThat(registry.find("bulkfhir.token.requests").tag("outcome", "issued").counter()).isNotNull();
		assertThat(registry.find("bulkfhir.storage.files").gauge()).isNotNull();
		assertThat(context.getBean("bulkfhirExportStoreHealthIndicator",
				org.springframework.boot.actuate.health.HealthIndicator.class).health().getStatus().getCode())
				.isEqualTo("UP");
		assertThat(context.getBean("bulkfhirCompatibilityHealthIndicator",
				org.springframework.boot.actuate.health.HealthIndicator.class).health().getStatus().getCode())
				.isEqualTo("UP");
	}

	private List<String> pluginBeanNames() {
		String configurationBean = context.getBeanNamesForType(BulkFhirConfiguration.class)[0];
		return Arrays.stream(context.getBeanFactory().getBeanDefinitionNames())
				.filter(name -> {
					BeanDefinition definition = context.getBeanFactory().getBeanDefinition(name);
					return configurationBean.equals(definition.getFactoryBeanName());
				})
				.toList();
	}
}
