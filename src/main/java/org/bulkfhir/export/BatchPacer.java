package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Keeps our exports moving. HAPI's batch2 advances gated steps, dispatches new chunks and starts
 * the reducer only in its maintenance pass, which it schedules once a minute; a ten-patient export
 * would wait minutes. While any export of ours is active, this runs the pass every few hundred
 * milliseconds (the pass is safe to run concurrently on several nodes). It also removes the files
 * and records of exports cancelled by their client once batch2 has stopped them.
 */
public class BatchPacer implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(BatchPacer.class);
	private static final Duration CANCELLED_GRACE = Duration.ofSeconds(30);

	private final IJobMaintenanceService maintenance;
	private final InstanceMaintenance instanceMaintenance;
	private final IJobPersistence persistence;
	private final JdbcTemplate jdbc;
	private final ExportFileStore store;
	private final TransactionTemplate transactions;
	private final Duration interval;
	private final StaleWorkRecovery recovery;
	private final Object signal = new Object();

	private volatile boolean running;
	private boolean woken;
	private Thread thread;

	public BatchPacer(
			IJobMaintenanceService maintenance,
			InstanceMaintenance instanceMaintenance,
			IJobPersistence persistence,
			JdbcTemplate jdbc,
			ExportFileStore store,
			TransactionTemplate transactions,
			Duration interval,
			StaleWorkRecovery recovery) {
		this.maintenance = maintenance;
		this.instanceMaintenance = instanceMaintenance;
		this.persistence = persistence;
		this.jdbc = jdbc;
		this.store = store;
		this.transactions = transactions;
		this.interval = interval;
		this.recovery = recovery;
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
		long lastCleanup = 0;
		while (running) {
			try {
				boolean wasWoken;
				synchronized (signal) {
					wasWoken = woken;
					woken = false;
				}
				List<String> active = activeExports();
				if (wasWoken && active.isEmpty()) {
					maintenance.runMaintenancePass();
				}
				for (String id : active) {
					processQuietly(id);
				}
				if (System.currentTimeMillis() - lastCleanup > 1000) {
					removeCancelled();
					if (recovery.recover() > 0) {
						maintenance.runMaintenancePass();
					}
					lastCleanup = System.currentTimeMillis();
				}
				synchronized (signal) {
					if (!woken && running) {
						signal.wait(Math.max(10, interval.toMillis()));
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

	private List<String> activeExports() {
		return jdbc.queryForList(
				"SELECT ID FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = ?"
						+ " AND STAT IN ('QUEUED', 'IN_PROGRESS', 'FINALIZE', 'ERRORED')",
				String.class,
				ExportJobService.JOB_DEFINITION_ID);
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
		List<Map<String, Object>> rows = jdbc.queryForList(
				"SELECT ID, UPDATE_TIME FROM BT2_JOB_INSTANCE WHERE DEFINITION_ID = ? AND STAT = 'CANCELLED'",
				ExportJobService.JOB_DEFINITION_ID);
		for (Map<String, Object> row : rows) {
			String id = (String) row.get("ID");
			try {
				store.deleteJob(id);
			} catch (java.io.IOException e) {
				LOG.warn("Could not delete files of cancelled export {}: {}", id, e.toString());
				continue;
			}
			Timestamp updated = (Timestamp) row.get("UPDATE_TIME");
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
