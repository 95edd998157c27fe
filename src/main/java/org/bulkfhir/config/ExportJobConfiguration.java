package org.bulkfhir.config;

import org.bulkfhir.read.ExportAvailability;
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
import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.cluster.ClusterNodes;
import org.bulkfhir.cluster.WorkClaims;
import org.bulkfhir.export.BatchPacer;
import org.bulkfhir.export.ClaimingReducer;
import org.bulkfhir.export.DeadNodeRecovery;
import org.bulkfhir.export.InstanceMaintenance;
import org.bulkfhir.export.StepCompletionWake;
import org.bulkfhir.export.ExportAdmission;
import org.bulkfhir.export.ChunkResult;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportPurge;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.export.ExportWorkChunk;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.export.ManifestStep;
import org.bulkfhir.export.DeletedFilesWriter;
import org.bulkfhir.read.DeletedResources;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.export.PlanStep;
import org.bulkfhir.export.WriteStep;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.read.StoredResourceReader;
import org.bulkfhir.export.ProvenanceSelector;
import org.bulkfhir.read.Snapshot;
import org.bulkfhir.storage.ExportFileStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The batch2 export job, its steps and what they write with, the pacer, the admission and the purge.
 * Imported by {@link BulkFhirConfiguration}; hosts scan this package, so it carries the plugin's
 * switch itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class ExportJobConfiguration {

	@Bean
	public DeletedFilesWriter bulkfhirDeletedFilesWriter(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			StoredResourceReader reader,
			FhirContext fhirContext,
			PatientCompartment compartment,
			GroupMembers groupMembers,
			FilterSearch filterSearch,
			ExportFileStore store) {
		return new DeletedFilesWriter(new DeletedResources(bulkfhirJdbc, reader, fhirContext), compartment,
				groupMembers, filterSearch, store, fhirContext);
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
								properties.export().expiry()), claims))
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
				properties.export().pacerInterval(),
				lock,
				new DeadNodeRecovery(nodes, claims, persistence, bulkfhirTransactions),
				availability::isAvailable);
	}

	/** Moves an export to its next step as soon as its last chunk is done (see StepCompletionWake). */
	@Bean
	public StepCompletionWake bulkfhirStepCompletionWake(
			BatchPacer pacer, IJobPersistence persistence, IInterceptorService interceptorService) {
		StepCompletionWake wake = new StepCompletionWake(pacer, persistence);
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
						properties.export().maxRunningPerClient(),
						properties.export().maxFinishedPerClient(),
						properties.storage().maxTotalBytes(),
						properties.storage().minFreeBytes(),
						properties.export().expiry()));
		return new ExportJobService(coordinator, persistence, store, pacer, bulkfhirTransactions, admission);
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
				properties.export().expiry(),
				properties.export().purgeInterval());
	}
}
