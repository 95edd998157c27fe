package org.bulkfhir.config;

import org.bulkfhir.lifecycle.RestfulServerRegistrar;
import org.bulkfhir.export.ExportAvailabilityInterceptor;
import org.bulkfhir.read.ExportAvailability;
import org.bulkfhir.read.HapiCompatibility;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.settings.BulkFhirProperties;
import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.api.IReductionStepExecutorService;
import ca.uhn.fhir.batch2.channel.BatchJobSender;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.search.BatchResourceLoader;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import org.bulkfhir.admin.AdminLoginThrottle;
import org.bulkfhir.admin.AdminPasswordPolicy;
import org.bulkfhir.admin.AdminResponseFilter;
import org.bulkfhir.errors.GenericErrorInterceptor;
import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.broker.api.IChannelProducer;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.cluster.ClusterNodes;
import org.bulkfhir.cluster.EnqueueClaimer;
import org.bulkfhir.cluster.WorkClaims;
import org.bulkfhir.export.BatchPacer;
import org.bulkfhir.export.ClaimingReducer;
import org.bulkfhir.export.DeadNodeRecovery;
import org.bulkfhir.export.InstanceMaintenance;
import org.bulkfhir.export.StepCompletionWake;
import org.bulkfhir.export.ExportAdmission;
import org.bulkfhir.export.ChunkResult;
import org.bulkfhir.export.ExportFileProvider;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.export.ExportPurge;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.export.ExportRequestParser;
import org.bulkfhir.export.ExportResponses;
import org.bulkfhir.export.ExportStatusProvider;
import org.bulkfhir.export.ExportWorkChunk;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.export.ManifestPages;
import org.bulkfhir.export.ManifestStep;
import org.bulkfhir.export.DeletedFilesWriter;
import org.bulkfhir.read.DeletedResources;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.export.PatientSubset;
import org.bulkfhir.export.PlanStep;
import org.bulkfhir.export.WriteStep;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.output.NdjsonToXml;
import org.bulkfhir.read.HapiBatchReader;
import org.bulkfhir.read.StoredResourceReader;
import org.bulkfhir.schema.BulkFhirSchema;
import org.bulkfhir.export.ProvenanceSelector;
import org.bulkfhir.read.Snapshot;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryResourceMatcher;
import org.bulkfhir.storage.ExportFileStore;
import org.bulkfhir.storage.FilesystemExportFileStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Switches the plugin on inside a HAPI JPA R4 Spring context: the export job, its endpoints and
 * the services behind them. Every bean name starts with "bulkfhir" so nothing clashes with the
 * host's beans (jpaserver-starter forbids bean overriding). {@code bulkfhir.enabled=false} leaves
 * every one of them out (the benchmark uses it to let stock HAPI's $export answer on the same server
 * and data).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
@Import({AuthConfiguration.class, AuditConfiguration.class})
public class BulkFhirConfiguration {

	/**
	 * Metrics and health (org.bulkfhir.metrics); a member class so that the plugin's one scanned class
	 * brings it. A package scan finds it on its own too, so it carries the switch itself.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
	@Import(org.bulkfhir.metrics.MetricsConfiguration.class)
	static class Metrics {}

	@Bean
	@ConfigurationProperties("bulkfhir")
	public BulkFhirProperties bulkfhirProperties() {
		return new BulkFhirProperties();
	}

	@Bean
	public ExportFileStore bulkfhirFileStore(BulkFhirProperties properties) throws IOException {
		return new FilesystemExportFileStore(Path.of(properties.getStorage().getDirectory()));
	}

	@Bean
	public BulkFhirSchema bulkfhirSchema(DataSource dataSource) {
		return new BulkFhirSchema(dataSource);
	}

	/** Every bean reaches the plugin's tables through this template, so they are migrated first. */
	@Bean
	public NamedParameterJdbcTemplate bulkfhirJdbc(DataSource dataSource, BulkFhirSchema bulkfhirSchema) {
		return new NamedParameterJdbcTemplate(dataSource);
	}

	@Bean
	public ExportJobStore bulkfhirJobStore(NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ExportJobStore(bulkfhirJdbc.getJdbcTemplate(), ExportJobService.JOB_DEFINITION_ID);
	}

	@Bean
	public TransactionTemplate bulkfhirTransactions(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

	@Bean
	public HapiBatchReader bulkfhirHapiBatchReader(
			EntityManagerFactory entityManagerFactory,
			BatchResourceLoader batchResourceLoader,
			IHapiTransactionService transactionService,
			FhirContext fhirContext) {
		return new HapiBatchReader(SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory),
				batchResourceLoader, transactionService, fhirContext);
	}

	@Bean
	public StoredResourceReader bulkfhirResourceReader(
			NamedParameterJdbcTemplate bulkfhirJdbc, HapiBatchReader bulkfhirHapiBatchReader, JpaStorageSettings storageSettings) {
		return new StoredResourceReader(bulkfhirJdbc, bulkfhirHapiBatchReader, storageSettings.getTagStorageMode());
	}

	@Bean
	public ExportQueries bulkfhirQueries(NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ExportQueries(bulkfhirJdbc);
	}

	@Bean
	public PatientCompartment bulkfhirPatientCompartment(FhirContext fhirContext) {
		return new PatientCompartment(fhirContext);
	}

	@Bean
	public FilterSearch bulkfhirFilterSearch(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			MatchUrlService matchUrlService,
			StoredResourceReader reader,
			InMemoryResourceMatcher inMemoryResourceMatcher) {
		return new FilterSearch(fhirContext, daoRegistry, matchUrlService, reader, inMemoryResourceMatcher);
	}

	@Bean
	public Snapshot bulkfhirSnapshot(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			StoredResourceReader reader,
			FhirContext fhirContext,
			PatientCompartment compartment) {
		return new Snapshot(bulkfhirJdbc, reader, fhirContext, compartment);
	}

	@Bean
	public GroupMembers bulkfhirGroupMembers(
			DaoRegistry daoRegistry, NamedParameterJdbcTemplate bulkfhirJdbc, StoredResourceReader reader,
			FhirContext fhirContext) {
		return new GroupMembers(daoRegistry, bulkfhirJdbc, reader, fhirContext);
	}

	@Bean
	public DeletedFilesWriter bulkfhirDeletedFilesWriter(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			StoredResourceReader reader,
			FhirContext fhirContext,
			PatientCompartment compartment,
			GroupMembers groupMembers,
			ExportFileStore store) {
		return new DeletedFilesWriter(new DeletedResources(bulkfhirJdbc, reader, fhirContext), compartment,
				groupMembers, store, fhirContext);
	}

	@Bean
	public ExportOutput bulkfhirExportOutput(
			StoredResourceReader reader, ExportFileStore store, FhirContext fhirContext) {
		return new ExportOutput(reader, store, fhirContext);
	}

	@Bean
	public ProvenanceSelector bulkfhirProvenanceSelector(ExportQueries queries, FilterSearch filterSearch) {
		return new ProvenanceSelector(queries, filterSearch);
	}

	@Bean
	public ClusterNodes bulkfhirClusterNodes(NamedParameterJdbcTemplate bulkfhirJdbc, BulkFhirProperties properties) {
		return new ClusterNodes(bulkfhirJdbc.getJdbcTemplate(), properties.getCluster().getHeartbeatInterval(),
				properties.getCluster().getNodeTimeout());
	}

	@Bean
	public WorkClaims bulkfhirWorkClaims(NamedParameterJdbcTemplate bulkfhirJdbc, ClusterNodes nodes) {
		return new WorkClaims(bulkfhirJdbc, nodes);
	}

	/** Attached when created: before HAPI's schedulers start, so no chunk of ours is queued unclaimed. */
	@Bean
	public EnqueueClaimer bulkfhirEnqueueClaimer(
			WorkClaims claims, ObjectProvider<IChannelProducer<JobWorkNotification>> workChannelProducers) {
		return new EnqueueClaimer(claims, ExportJobService.JOB_DEFINITION_ID)
				.attachTo(new ArrayList<>(workChannelProducers.orderedStream().toList()));
	}

	@Bean
	public ClusterLock bulkfhirClusterLock(DataSource dataSource, NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ClusterLock(dataSource, bulkfhirJdbc.getJdbcTemplate());
	}

	@Bean
	public ExportAvailability bulkfhirExportAvailability() {
		return new ExportAvailability();
	}

	@Bean
	public HapiCompatibility bulkfhirHapiCompatibility(
			ObjectProvider<PartitionSettings> partitionSettings,
			ObjectProvider<JpaStorageSettings> storageSettings,
			ObjectProvider<IInterceptorService> interceptorServices,
			ObjectProvider<RestfulServer> restfulServers,
			NamedParameterJdbcTemplate bulkfhirJdbc,
			ExportAvailability availability) {
		return new HapiCompatibility(
				partitionSettings::getIfAvailable,
				storageSettings::getIfAvailable,
				() -> {
					List<Object> all = new ArrayList<>();
					interceptorServices.forEach(service -> all.addAll(service.getAllRegisteredInterceptors()));
					restfulServers.forEach(
							server -> all.addAll(server.getInterceptorService().getAllRegisteredInterceptors()));
					return all;
				},
				bulkfhirJdbc.getJdbcTemplate(),
				availability);
	}

	@Bean
	public JobDefinition<ExportJobParameters> bulkfhirExportJobDefinition(
			ExportQueries queries,
			GroupMembers groupMembers,
			FilterSearch filterSearch,
			PatientCompartment compartment,
			ExportOutput output,
			ProvenanceSelector provenance,
			Snapshot snapshot,
			WorkClaims claims,
			DeletedFilesWriter deletedFiles,
			BulkFhirProperties properties) {
		return JobDefinition.newBuilder()
				.setJobDefinitionId(ExportJobService.JOB_DEFINITION_ID)
				.setJobDefinitionVersion(1)
				.setJobDescription("bulkfhir FHIR Bulk Data $export")
				.setParametersType(ExportJobParameters.class)
				.gatedExecution()
				.addFirstStep(
						"plan",
						"Resolve members and cut the export into work chunks",
						ExportWorkChunk.class,
						new PlanStep(queries, groupMembers, filterSearch, snapshot, properties))
				.addIntermediateStep(
						"write",
						"Stream each chunk's resources into NDJSON files",
						ChunkResult.class,
						new WriteStep(queries, filterSearch, compartment, output, provenance, snapshot))
				.addFinalReducerStep(
						"manifest",
						"Write referenced resources once and record the manifest",
						ExportReport.class,
						new ClaimingReducer<>(new org.bulkfhir.export.ExpiryStamp(
								new ManifestStep(output, queries, filterSearch, provenance, snapshot, deletedFiles),
								properties.getExport().getExpiry()), claims))
				.build();
	}

	@Bean
	public BatchPacer bulkfhirPacer(
			IJobMaintenanceService maintenance,
			BatchJobSender batchJobSender,
			IReductionStepExecutorService reductionStepExecutor,
			JobDefinitionRegistry jobDefinitionRegistry,
			IInterceptorService interceptorService,
			IJobPersistence persistence,
			ExportFileStore store,
			TransactionTemplate bulkfhirTransactions,
			ClusterNodes nodes,
			WorkClaims claims,
			ClusterLock lock,
			ExportAvailability availability,
			BulkFhirProperties properties) {
		return new BatchPacer(
				maintenance,
				new InstanceMaintenance(
						persistence, batchJobSender, reductionStepExecutor, jobDefinitionRegistry, interceptorService),
				persistence,
				store,
				bulkfhirTransactions,
				properties.getExport().getPacerInterval(),
				lock,
				new DeadNodeRecovery(nodes, claims, persistence, bulkfhirTransactions),
				availability::isAvailable);
	}

	/** Moves an export to its next step as soon as its last chunk is done (see StepCompletionWake). */
	@Bean
	public StepCompletionWake bulkfhirStepCompletionWake(BatchPacer pacer, IInterceptorService interceptorService) {
		StepCompletionWake wake = new StepCompletionWake(pacer);
		interceptorService.registerInterceptor(wake);
		return wake;
	}

	@Bean
	public ExportJobService bulkfhirExportJobs(
			IJobCoordinator coordinator,
			IJobPersistence persistence,
			ExportFileStore store,
			BatchPacer pacer,
			TransactionTemplate bulkfhirTransactions,
			ExportJobStore bulkfhirJobStore,
			JobDefinition<ExportJobParameters> bulkfhirExportJobDefinition,
			BulkFhirProperties properties) {
		ExportAdmission admission = new ExportAdmission(
				bulkfhirJobStore,
				bulkfhirTransactions,
				persistence,
				bulkfhirExportJobDefinition,
				store,
				new ExportAdmission.Limits(
						properties.getExport().getMaxRunningPerClient(),
						properties.getExport().getMaxFinishedPerClient(),
						properties.getStorage().getMaxTotalBytes(),
						properties.getStorage().getMinFreeBytes(),
						properties.getExport().getExpiry()));
		return new ExportJobService(coordinator, persistence, store, pacer, bulkfhirTransactions, admission);
	}

	@Bean
	public ExportRequestParser bulkfhirRequestParser(
			FhirContext fhirContext,
			PatientCompartment compartment,
			FilterSearch filterSearch,
			BulkFhirProperties properties) {
		return new ExportRequestParser(fhirContext, compartment, filterSearch, properties);
	}

	@Bean
	public ExportResponses bulkfhirResponses(FhirContext fhirContext, BulkFhirProperties properties) {
		return new ExportResponses(
				fhirContext, () -> properties.getAuth().isEnabled(), properties.getExport().getRetryAfterSeconds());
	}

	@Bean
	public ExportKickoffProvider bulkfhirKickoffProvider(
			ExportRequestParser parser,
			ExportJobService jobs,
			GroupMembers groupMembers,
			ExportQueries queries,
			ExportResponses responses) {
		return new ExportKickoffProvider(parser, jobs, groupMembers, new PatientSubset(groupMembers, queries), responses);
	}

	@Bean
	public ManifestPages bulkfhirManifestPages(
			IJobPersistence persistence,
			TransactionTemplate bulkfhirTransactions,
			ExportFileStore store,
			BulkFhirProperties properties) {
		return new ManifestPages(
				persistence, bulkfhirTransactions, store, properties.getExport().getManifestPageSize());
	}

	@Bean
	public ExportStatusProvider bulkfhirStatusProvider(
			ExportJobService jobs, ExportResponses responses, ManifestPages pages, BulkFhirProperties properties) {
		return new ExportStatusProvider(jobs, responses, properties.getExport().getExpiry(), pages);
	}

	@Bean
	public ExportFileProvider bulkfhirFileProvider(
			ExportJobService jobs,
			ExportFileStore store,
			FhirContext fhirContext,
			ManifestPages pages,
			BulkFhirProperties properties) {
		return new ExportFileProvider(
				jobs, store, new NdjsonToXml(fhirContext), properties.getExport().getExpiry(), pages);
	}

	@Bean
	public ExportPurge bulkfhirPurge(
			IJobPersistence persistence,
			ExportJobStore bulkfhirJobStore,
			ExportFileStore store,
			TransactionTemplate bulkfhirTransactions,
			BulkFhirProperties properties) {
		return new ExportPurge(
				persistence,
				bulkfhirJobStore,
				store,
				bulkfhirTransactions,
				properties.getExport().getExpiry(),
				properties.getExport().getPurgeInterval());
	}

	@Bean
	public org.bulkfhir.admin.AdminJobsController bulkfhirAdminJobsController(
			ExportJobService jobs,
			IJobCoordinator coordinator,
			ExportFileStore store,
			ExportJobStore bulkfhirJobStore,
			FhirContext fhirContext,
			org.bulkfhir.auth.ClientRegistry clients,
			BulkFhirProperties properties) {
		return new org.bulkfhir.admin.AdminJobsController(jobs, coordinator, store, bulkfhirJobStore,
				fhirContext, clients, properties.getExport().getExpiry());
	}

	@Bean
	public RestfulServerRegistrar bulkfhirRestfulServerRegistrar(
			ExportKickoffProvider kickoff,
			ExportStatusProvider status,
			ExportFileProvider files,
			GenericErrorInterceptor bulkfhirGenericErrors,
			ExportAvailability availability) {
		return new RestfulServerRegistrar(
				List.of(kickoff, status, files),
				List.of(bulkfhirGenericErrors, new ExportAvailabilityInterceptor(availability)));
	}

	@Bean
	public GenericErrorInterceptor bulkfhirGenericErrors(BulkFhirProperties properties) {
		return new GenericErrorInterceptor(properties.getErrors().getScope());
	}

	@Bean
	public org.bulkfhir.admin.AdminExceptionHandler bulkfhirAdminExceptionHandler() {
		return new org.bulkfhir.admin.AdminExceptionHandler();
	}

	/** nosniff on every admin response and the throttle of failed admin logins. */
	@Bean
	public FilterRegistrationBean<AdminResponseFilter> bulkfhirAdminFilter(BulkFhirProperties properties) {
		AdminLoginThrottle throttle = new AdminLoginThrottle(
				properties.getAdmin().getMaxFailedLogins(), properties.getAdmin().getFailedLoginWindow());
		FilterRegistrationBean<AdminResponseFilter> registration =
				new FilterRegistrationBean<>(new AdminResponseFilter(throttle));
		registration.setName("bulkfhirAdminFilter");
		registration.addUrlPatterns("/admin", "/admin/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
		return registration;
	}

	/** Refuses a short admin password before anything else starts. */
	@Bean
	public static AdminPasswordPolicy bulkfhirAdminPasswordPolicy() {
		return new AdminPasswordPolicy();
	}
}
