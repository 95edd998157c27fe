package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.api.IReductionStepExecutorService;
import ca.uhn.fhir.batch2.channel.BatchJobSender;
import ca.uhn.fhir.batch2.coordinator.JobDefinitionRegistry;
import ca.uhn.fhir.batch2.maintenance.JobChunkProgressAccumulator;
import ca.uhn.fhir.batch2.maintenance.JobInstanceProcessor;
import ca.uhn.fhir.interceptor.api.IInterceptorService;

/**
 * batch2's maintenance for one job instance: HAPI's own {@link JobInstanceProcessor}, which its
 * maintenance pass runs for every instance it keeps (cancellation, progress, opening the next gated
 * step, starting the reducer, sending READY chunks). The full pass also visits every finished
 * instance still kept (ours stay until their files expire), a few queries each; run for the active
 * exports only, the pacer's pass stays as short as one job's.
 */
public class InstanceMaintenance {

	private final IJobPersistence persistence;
	private final BatchJobSender sender;
	private final IReductionStepExecutorService reducer;
	private final JobDefinitionRegistry definitions;
	private final IInterceptorService interceptors;

	public InstanceMaintenance(
			IJobPersistence persistence,
			BatchJobSender sender,
			IReductionStepExecutorService reducer,
			JobDefinitionRegistry definitions,
			IInterceptorService interceptors) {
		this.persistence = persistence;
		this.sender = sender;
		this.reducer = reducer;
		this.definitions = definitions;
		this.interceptors = interceptors;
	}

	public void process(String instanceId) {
		new JobInstanceProcessor(
						persistence, sender, instanceId, new JobChunkProgressAccumulator(), reducer, definitions, interceptors)
				.process();
	}
}
