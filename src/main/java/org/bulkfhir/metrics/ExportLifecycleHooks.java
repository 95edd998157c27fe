package org.bulkfhir.metrics;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Counts the start and the end of each export from HAPI's own batch2 hooks, on HAPI's global
 * interceptor service (batch2 fires them there, with no request):
 *
 * <ul>
 *   <li>{@code STORAGE_POSTSTORAGE_BATCH_JOB_CREATE}: the kick-off's admission stored the instance;</li>
 *   <li>{@code STORAGE_POSTCOMPLETE_BATCH_JOB}: the instance became COMPLETED (fired by the reducer's
 *       node as it stores the report), FAILED or CANCELLED (fired by the node whose maintenance pass or
 *       reducer made the change).</li>
 * </ul>
 *
 * HAPI fires both inside the transaction that changes the instance row, under that row's lock, and
 * only when the status really changes; the count is taken after that transaction commits. So each
 * event is counted once in a cluster, by one node, and never for a change that was rolled back (an
 * admission that lost its lock and was tried again, say).
 */
@Interceptor
public class ExportLifecycleHooks {

	private static final Logger LOG = LoggerFactory.getLogger(ExportLifecycleHooks.class);

	private final BulkFhirMeters meters;

	public ExportLifecycleHooks(BulkFhirMeters meters) {
		this.meters = meters;
	}

	@Hook(Pointcut.STORAGE_POSTSTORAGE_BATCH_JOB_CREATE)
	public void created(JobInstance instance) {
		if (isOurs(instance)) {
			ExportJobParameters params = instance.getParameters(ExportJobParameters.class);
			afterCommit(() -> meters.exportStarted(params));
		}
	}

	@Hook(Pointcut.STORAGE_POSTCOMPLETE_BATCH_JOB)
	public void ended(JobInstance instance) {
		if (isOurs(instance)) {
			// HAPI may go on changing the object it passed; keep what it was now.
			JobInstance copy = new JobInstance(instance);
			afterCommit(() -> meters.exportEnded(copy));
		}
	}

	private static boolean isOurs(JobInstance instance) {
		return instance != null && ExportJobService.JOB_DEFINITION_ID.equals(instance.getJobDefinitionId());
	}

	private static void afterCommit(Runnable count) {
		Runnable safe = () -> {
			try {
				count.run();
			} catch (RuntimeException e) {
				LOG.warn("bulkfhir metrics: could not count an export event: {}", e.toString());
			}
		};
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					safe.run();
				}
			});
		} else {
			safe.run();
		}
	}
}
