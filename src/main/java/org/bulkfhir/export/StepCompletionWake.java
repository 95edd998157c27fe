package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.WorkChunk;
import ca.uhn.fhir.batch2.model.WorkChunkStatusEnum;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IBaseInterceptorBroadcaster.IInterceptorFilterHook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;

import java.util.Set;

/**
 * Wakes the {@link BatchPacer} as soon as the last running work chunk of a step of one of our exports
 * has been processed, so the next maintenance pass (which opens the next step or starts the reducer)
 * runs at once rather than at the pacer's next tick. HAPI records the chunk's completion in its own
 * transaction inside the wrapped call, so the pass sees it.
 *
 * <p>A chunk that finishes while others of its step still run wakes nobody: a pass then has nothing to
 * open, and the passes of the first chunks to finish took the two cores from the last ones. Each
 * chunk looks only after its own completion is committed, so of chunks finishing together the last
 * to commit sees the others done and wakes the pacer; if the look fails, it wakes it anyway.
 */
@Interceptor
public class StepCompletionWake {

	private static final Set<WorkChunkStatusEnum> RUNNING = Set.of(WorkChunkStatusEnum.QUEUED, WorkChunkStatusEnum.IN_PROGRESS);

	private final BatchPacer pacer;
	private final IJobPersistence persistence;

	public StepCompletionWake(BatchPacer pacer, IJobPersistence persistence) {
		this.pacer = pacer;
		this.persistence = persistence;
	}

	@Hook(Pointcut.BATCH2_CHUNK_PROCESS_FILTER)
	public IInterceptorFilterHook wakePacerAfterOurChunks(JobInstance instance, WorkChunk chunk) {
		return chunkProcessing -> {
			try {
				chunkProcessing.run();
			} finally {
				if (ExportJobService.JOB_DEFINITION_ID.equals(instance.getJobDefinitionId()) && !othersRunning(instance, chunk)) {
					pacer.wake();
				}
			}
		};
	}

	private boolean othersRunning(JobInstance instance, WorkChunk chunk) {
		try {
			Set<WorkChunkStatusEnum> states =
					persistence.getDistinctWorkChunkStatesForJobAndStep(instance.getInstanceId(), chunk.getTargetStepId());
			return states.stream().anyMatch(RUNNING::contains);
		} catch (RuntimeException e) {
			return false;
		}
	}
}
