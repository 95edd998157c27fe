package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Keeps our exports moving. HAPI's batch2 advances gated steps, dispatches new chunks and starts
 * the reducer only in its maintenance pass, which it schedules once a minute; a ten-patient export
 * would wait minutes. This runs HAPI's maintenance for the active exports of ours at once when
 * something it acts on has happened here ({@link #wake}: a kick-off, a cancel, a work chunk of ours
 * finished), and every {@code interval} while exports are active, from one node of the cluster at a
 * time ({@link ClusterLock}); HAPI's own scheduled pass is left as it is. Between those events a
 * pass has nothing to do (a running step's chunks are all dispatched, its progress moves only when
 * one finishes), and each costs a few queries and HQL parses: the interval is a safety net, for a
 * wake that another node's pass missed. Once a second the lock holder also gives the work of dead
 * nodes back ({@link DeadNodeRecovery}), and every node removes the files and records of exports
 * cancelled by their client once batch2 has stopped them.
 */
public class BatchPacer implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(BatchPacer.class);
	private static final Duration CANCELLED_GRACE = Duration.ofSeconds(30);
	/** How soon a woken pass that found another node holding the lock is tried again. */
	private static final long LOCK_BUSY_RETRY_MS = 100;
	/** How often the cancelled exports are removed and dead nodes' work given back. */
	private static final long HOUSEKEEPING_MS = 1000;
	/** The cluster lock under which one node at a time drives batch2 for the exports. */
	static final String LOCK = "bulkfhir-batch2-pacer";
	/**
	 * Instances the pass has work for. FINALIZE is left out: the reducer completes the job itself,
	 * and a pass during it would only ask the reducer service again (and log that it is busy).
	 */
	private static final Set<StatusEnum> NEED_PASSES = Set.of(StatusEnum.QUEUED, StatusEnum.IN_PROGRESS, StatusEnum.ERRORED);

	private final IJobMaintenanceService maintenance;
	private final InstanceMaintenance instanceMaintenance;
	private final IJobPersistence persistence;
	private final ExportFileStore store;
	private final TransactionTemplate transactions;
	private final Duration interval;
	private final ClusterLock lock;
	private final DeadNodeRecovery recovery;
	private final BooleanSupplier exportsAvailable;
	private final Object signal = new Object();

	private volatile boolean running;
	private boolean woken;
	private Thread thread;

	public BatchPacer(
			IJobMaintenanceService maintenance,
			InstanceMaintenance instanceMaintenance,
			IJobPersistence persistence,
			ExportFileStore store,
			TransactionTemplate transactions,
			Duration interval,
			ClusterLock lock,
			DeadNodeRecovery recovery,
			BooleanSupplier exportsAvailable) {
		this.maintenance = maintenance;
		this.instanceMaintenance = instanceMaintenance;
		this.persistence = persistence;
		this.store = store;
		this.transactions = transactions;
		this.interval = interval;
		this.lock = lock;
		this.recovery = recovery;
		this.exportsAvailable = exportsAvailable;
	}

	/** Asks for a maintenance pass as soon as possible (after a kick-off or a cancel). */
	public void wake() {
		synchronized (signal) {
			woken = true;
			signal.notifyAll();
		}
	}

	@Override
	public void start() {
		running = true;
		thread = new Thread(this::loop, "bulkfhir-pacer");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void stop() {
		running = false;
		wake();
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	private void loop() {
		long lastHousekeeping = 0;
		long lastPass = 0;
		boolean retryWake = false;
		while (running) {
			try {
				boolean wasWoken;
				synchronized (signal) {
					wasWoken = woken || retryWake;
					woken = false;
				}
				retryWake = false;
				if (exportsAvailable.getAsBoolean()) {
					List<String> active = activeExports();
					long now = System.currentTimeMillis();
					if (wasWoken || (!active.isEmpty() && now - lastPass >= interval.toMillis())) {
						lastPass = now;
						boolean ran = lock.runExclusively(LOCK, () -> {
							if (active.isEmpty()) {
								// Woken by a kick-off or a cancel that the list above did not see yet.
								maintenance.runMaintenancePass();
							}
							active.forEach(this::processQuietly);
						});
						// Another node's pass may have started before what woke this one was committed.
						retryWake = wasWoken && !ran;
					}
					if (now - lastHousekeeping >= HOUSEKEEPING_MS) {
						removeCancelled();
						lock.runExclusively(LOCK, () -> {
							if (recovery.recover() > 0) {
								maintenance.runMaintenancePass();
							}
						});
						lastHousekeeping = System.currentTimeMillis();
					}
				}
				synchronized (signal) {
					if (!woken && running) {
						signal.wait(retryWake ? LOCK_BUSY_RETRY_MS : Math.max(10, Math.min(interval.toMillis(), HOUSEKEEPING_MS)));
					}
				}
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			} catch (RuntimeException e) {
				LOG.warn("Export pacer pass failed: {}", e.toString());
				sleepQuietly();
			}
		}
	}

	/** The exports the pass has work for, by instance id. */
	private List<String> activeExports() {
		return persistence
				.fetchInstancesByJobDefinitionIdAndStatus(ExportJobService.JOB_DEFINITION_ID, NEED_PASSES, 1000, 0)
				.stream()
				.map(JobInstance::getInstanceId)
				.toList();
	}

	private void processQuietly(String instanceId) {
		try {
			instanceMaintenance.process(instanceId);
		} catch (RuntimeException e) {
			// One export's trouble must not hold the others back; the next pass tries again.
			LOG.warn("Maintenance of export job {} failed: {}", instanceId, e.toString());
		}
	}

	private void removeCancelled() throws RuntimeException {
		List<JobInstance> cancelled = persistence.fetchInstancesByJobDefinitionIdAndStatus(
				ExportJobService.JOB_DEFINITION_ID, Set.of(StatusEnum.CANCELLED), 100, 0);
		for (JobInstance instance : cancelled) {
			String id = instance.getInstanceId();
			try {
				store.deleteJob(id);
			} catch (java.io.IOException e) {
				LOG.warn("Could not delete files of cancelled export {}: {}", id, e.toString());
				continue;
			}
			Date updated = instance.getUpdateTime();
			// A chunk that was running when the job was cancelled may still finish; keep the record
			// (invisible to clients) a little so that its late files are deleted too.
			if (updated == null || updated.getTime() < System.currentTimeMillis() - CANCELLED_GRACE.toMillis()) {
				transactions.executeWithoutResult(tx -> persistence.deleteInstanceAndChunks(id));
				LOG.info("Removed cancelled export job {}", id);
			}
		}
	}

	private static void sleepQuietly() {
		try {
			Thread.sleep(1000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
