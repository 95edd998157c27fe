package org.bulkfhir.metrics;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.interceptor.executor.InterceptorService;
import ca.uhn.fhir.util.JsonUtil;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bulkfhir.settings.BulkFhirProperties;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportLevel;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.storage.FilesystemExportFileStore;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the plugin joins a host's Micrometer: nothing at all without a registry; with one, each batch2
 * event of an export of ours is counted once its transaction commits, never when it rolls back, and
 * other jobs are not counted. The events are fired through HAPI's real interceptor service. A host
 * without Micrometer or Actuator on its class path gets neither part, and starts.
 */
class MetricsBindingTest {

	@TempDir
	Path exports;

	private InterceptorService interceptors;
	private NamedParameterJdbcTemplate jdbc;
	private TransactionTemplate transactions;

	@BeforeEach
	void setUp() {
		interceptors = new InterceptorService("test");
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		jdbc = new NamedParameterJdbcTemplate(dataSource);
		transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
	}

	@Test
	void withoutARegistryNothingIsRegistered() throws Exception {
		MetricsConfiguration.Meters.MetricsBinding binding = bind(new StaticListableBeanFactory());
		assertThat(binding.meters()).isNull();
		assertThat(interceptors.getAllRegisteredInterceptors()).isEmpty();
	}

	@Test
	void eachCommittedExportEventIsCountedOnceAndRolledBackOnesNot() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("registry", registry));
		assertThat(bind(beans).meters()).isNotNull();

		JobInstance started = instance(StatusEnum.QUEUED, ExportJobService.JOB_DEFINITION_ID);
		transactions.executeWithoutResult(tx -> fire(Pointcut.STORAGE_POSTSTORAGE_BATCH_JOB_CREATE, started));
		transactions.executeWithoutResult(tx -> {
			fire(Pointcut.STORAGE_POSTSTORAGE_BATCH_JOB_CREATE, started);
			tx.setRollbackOnly();
		});
		fire(Pointcut.STORAGE_POSTSTORAGE_BATCH_JOB_CREATE, instance(StatusEnum.QUEUED, "SOME_OTHER_JOB"));
		assertThat(count(registry, "bulkfhir.exports.started")).isEqualTo(1);
		assertThat(registry.find("bulkfhir.exports.started").tags("level", "group", "client", "app-1").counter())
				.isNotNull();

		JobInstance completed = instance(StatusEnum.COMPLETED, ExportJobService.JOB_DEFINITION_ID);
		ExportReport report = new ExportReport();
		report.getFiles().add(new ExportedFile("Patient", "Patient-1.ndjson", 10, 1000));
		report.getFiles().add(new ExportedFile("Observation", "Observation-1.ndjson", 30, 5000));
		report.setReadByHapi(4);
		report.setCompletedAt(completed.getCreateTime().getTime() + 1500);
		completed.setReport(JsonUtil.serialize(report));
		transactions.executeWithoutResult(tx -> fire(Pointcut.STORAGE_POSTCOMPLETE_BATCH_JOB, completed));
		transactions.executeWithoutResult(tx -> fire(Pointcut.STORAGE_POSTCOMPLETE_BATCH_JOB,
				instance(StatusEnum.FAILED, ExportJobService.JOB_DEFINITION_ID)));
		fire(Pointcut.STORAGE_POSTCOMPLETE_BATCH_JOB, instance(StatusEnum.CANCELLED, ExportJobService.JOB_DEFINITION_ID));

		assertThat(count(registry, "bulkfhir.exports.completed")).isEqualTo(1);
		assertThat(count(registry, "bulkfhir.exports.failed")).isEqualTo(1);
		assertThat(count(registry, "bulkfhir.exports.cancelled")).isEqualTo(1);
		assertThat(registry.find("bulkfhir.export.resources").tag("path", "stored").counter().count()).isEqualTo(36);
		assertThat(registry.find("bulkfhir.export.resources").tag("path", "hapi").counter().count()).isEqualTo(4);
		assertThat(registry.find("bulkfhir.export.written").counter().count()).isEqualTo(6000);
		assertThat(registry.find("bulkfhir.export.duration").tag("level", "group").timer().totalTime(
				java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(1500);
	}

	@Test
	void theClientLabelCanBeSwitchedOff() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		BulkFhirProperties properties = BulkFhirProperties.bind(Map.of("metrics.client-label", "false"));
		bind(new StaticListableBeanFactory(Map.of("registry", registry)), properties);
		fire(Pointcut.STORAGE_POSTSTORAGE_BATCH_JOB_CREATE, instance(StatusEnum.QUEUED, ExportJobService.JOB_DEFINITION_ID));
		assertThat(registry.find("bulkfhir.exports.started").counter().getId().getTag("client")).isNull();
	}

	@Test
	void aHostWithoutMicrometerOrActuatorGetsNeitherPart() {
		contextRunner()
				.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(
						"io.micrometer.", "org.springframework.boot.actuate."))
				.run(context -> {
					assertThat(context).hasNotFailed();
					assertThat(context).doesNotHaveBean("bulkfhirMetricsBinding");
					assertThat(context).doesNotHaveBean("bulkfhirExportStoreHealthIndicator");
					assertThat(context).doesNotHaveBean("bulkfhirCompatibilityHealthIndicator");
				});
		contextRunner().run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasBean("bulkfhirMetricsBinding");
			assertThat(context).hasBean("bulkfhirExportStoreHealthIndicator");
			assertThat(context).hasBean("bulkfhirCompatibilityHealthIndicator");
		});
	}

	private org.springframework.boot.test.context.runner.ApplicationContextRunner contextRunner() {
		return new org.springframework.boot.test.context.runner.ApplicationContextRunner()
				.withUserConfiguration(MetricsConfiguration.class)
				.withBean(BulkFhirProperties.class, BulkFhirProperties::defaults)
				.withBean(org.bulkfhir.read.ExportAvailability.class, org.bulkfhir.read.ExportAvailability::new)
				.withBean(org.bulkfhir.storage.ExportFileStore.class, () -> {
					try {
						return new FilesystemExportFileStore(exports);
					} catch (java.io.IOException e) {
						throw new java.io.UncheckedIOException(e);
					}
				})
				.withBean(NamedParameterJdbcTemplate.class, () -> jdbc)
				.withBean(ca.uhn.fhir.interceptor.api.IInterceptorService.class, () -> interceptors);
	}

	private MetricsConfiguration.Meters.MetricsBinding bind(StaticListableBeanFactory beans) throws Exception {
		return bind(beans, BulkFhirProperties.defaults());
	}

	private MetricsConfiguration.Meters.MetricsBinding bind(StaticListableBeanFactory beans, BulkFhirProperties properties)
			throws Exception {
		return new MetricsConfiguration.Meters().bulkfhirMetricsBinding(
				beans.getBeanProvider(MeterRegistry.class),
				new FilesystemExportFileStore(exports),
				jdbc,
				interceptors,
				beans.getBeanProvider(org.bulkfhir.auth.SmartEndpoints.class),
				properties);
	}

	private void fire(Pointcut pointcut, JobInstance instance) {
		interceptors.callHooks(pointcut, new HookParams().add(JobInstance.class, instance));
	}

	private static double count(MeterRegistry registry, String name) {
		return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
	}

	private static JobInstance instance(StatusEnum status, String definitionId) {
		ExportJobParameters params = new ExportJobParameters();
		params.setLevel(ExportLevel.GROUP);
		params.setClientId("app-1");
		JobInstance instance = new JobInstance();
		instance.setInstanceId(UUID.randomUUID().toString());
		instance.setJobDefinitionId(definitionId);
		instance.setParameters(JsonUtil.serialize(params));
		instance.setStatus(status);
		instance.setCreateTime(new Date());
		return instance;
	}
}
