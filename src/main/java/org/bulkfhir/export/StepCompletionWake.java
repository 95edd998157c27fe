package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IBaseInterceptorBroadcaster.IInterceptorFilterHook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;

/**
 * Wakes the {@link BatchPacer} as soon as a work chunk of one of our exports has been processed, so
 * the next maintenance pass (which opens the next step or starts the reducer) runs at once rather
 * than at the pacer's next tick. HAPI records the chunk's completion in its own transaction inside
 * the wrapped call, so the pass sees it.
 */
@Interceptor
public class StepCompletionWake {

	private final BatchPacer pacer;

	public StepCompletionWake(BatchPacer pacer) {
		this.pacer = pacer;
	}

	@Hook(Pointcut.BATCH2_CHUNK_PROCESS_FILTER)
	public IInterceptorFilterHook wakePacerAfterOurChunks(JobInstance instance) {
		return chunkProcessing -> {
			try {
				chunkProcessing.run();
			} finally {
				if (ExportJobService.JOB_DEFINITION_ID.equals(instance.getJobDefinitionId())) {
					pacer.wake();
				}
			}
		};
	}
}
