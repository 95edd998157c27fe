package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.util.JsonUtil;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.storage.ExportFileStore;
import org.bulkfhir.lifecycle.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Physically deletes what has expired: completed exports past their expiry, failed and cancelled
 * jobs as long after they ended, and files in the store that belong to no job (left by a crash or
 * a late chunk). Only directories the store created are ever deleted, see
 * {@link org.bulkfhir.storage.FilesystemExportFileStore}. Every node may run it at the same time:
 * each deletion is idempotent.
 */
public class ExportPurge extends PeriodicTask {

	private static final Logger LOG = LoggerFactory.getLogger(ExportPurge.class);

	private final IJobPersistence persistence;
	private final ExportJobStore jobStore;
	private final ExportFileStore store;
	private final TransactionTemplate transactions;
	private final Duration expiry;
	private volatile boolean adopted;
	private volatile java.util.function.BiConsumer<String, ExportJobParameters> onPurged = (id, params) -> {};

	public ExportPurge(
			IJobPersistence persistence,
			ExportJobStore jobStore,
			ExportFileStore store,
			TransactionTemplate transactions,
			Duration expiry,
			Duration interval) {
		super("bulkfhir-purge", Duration.ofMillis(Math.max(100, interval.toMillis())));
		this.persistence = persistence;
		this.jobStore = jobStore;
		this.store = store;
		this.transactions = transactions;
		this.expiry = expiry;
	}

	@Override
	protected void runPass() throws Exception {
		purge();
	}

	/** One purge pass; returns the number of jobs removed. */
	public int purge() throws IOException {
		if (!adopted) {
			adoptUnmarkedDirectories();
			adopted = true;
		}
		long now = System.currentTimeMillis();
		int removed = 0;
		List<Map<String, Object>> ended = jobStore.endedJobs();
		for (Map<String, Object> row : ended) {
			if (expiresAt(row) <= now) {
				remove((String) row.get("ID"));
				removed++;
			}
		}
		removeOrphanedFiles();
		jobStore.deleteOwnersOfRemovedJobs();
		return removed;
	}

	/** A completed job's stored expiry (see {@link ExpiryStamp}); a failed or cancelled one's end plus the expiry. */
	private long expiresAt(Map<String, Object> row) {
		// HAPI keeps the report in REPORT_VC (its REPORT LOB column is no longer written)
		Object report = row.get("REPORT_VC");
		if ("COMPLETED".equals(row.get("STAT")) && report != null) {
			return JsonUtil.deserialize(report.toString(), ExportReport.class).expiresAt(expiry).toEpochMilli();
		}
		Timestamp end = (Timestamp) (row.get("END_TIME") != null ? row.get("END_TIME") : row.get("UPDATE_TIME"));
		return (end == null ? 0 : end.getTime()) + expiry.toMillis();
	}

	/** Told of every job the purge removed, with its parameters (the audit trail records it). */
	public void onPurged(java.util.function.BiConsumer<String, ExportJobParameters> listener) {
		this.onPurged = listener;
	}

	private void remove(String id) throws IOException {
		ExportJobParameters params = null;
		try {
			params = persistence.fetchInstance(id).map(i -> new ExportJob(i).parameters()).orElse(null);
		} catch (RuntimeException unreadable) {
			LOG.warn("Parameters of expired export job {} unreadable: {}", id, unreadable.toString());
		}
		store.deleteJob(id);
		transactions.executeWithoutResult(tx -> persistence.deleteInstanceAndChunks(id));
		LOG.info("Purged expired export job {}", id);
		onPurged.accept(id, params);
	}

	/**
	 * Directories of our jobs made by a version that did not mark them yet: marked once per start,
	 * so that they are deleted with their jobs like any other.
	 */
	private void adoptUnmarkedDirectories() throws IOException {
		for (String id : jobStore.jobIds()) {
			store.adopt(id);
		}
	}

	/** Directories of the store's own (marked) whose job no longer exists: a crash or a late chunk left them. */
	private void removeOrphanedFiles() throws IOException {
		List<String> withFiles = store.jobIds();
		if (withFiles.isEmpty()) {
			return;
		}
		Set<String> known = jobStore.allInstanceIds();
		for (String id : withFiles) {
			if (!known.contains(id)) {
				store.deleteJob(id);
				LOG.info("Deleted orphaned export files of unknown job {}", id);
			}
		}
	}
}
