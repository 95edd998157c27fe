package org.bulkfhir.audit;

import org.bulkfhir.cluster.ClusterLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes audit entries older than the retention period, every {@code purge-interval}, on one node
 * of the cluster at a time ({@link ClusterLock}). Entries outlive the jobs and files they describe;
 * only their age removes them.
 */
public class AuditRetention implements SmartLifecycle {

	static final String LOCK = "audit-retention";
	private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

	private final AuditTrail trail;
	private final ClusterLock lock;
	private final Duration retention;
	private final Duration interval;
	private ScheduledExecutorService scheduler;

	public AuditRetention(AuditTrail trail, ClusterLock lock, Duration retention, Duration interval) {
		this.trail = trail;
		this.lock = lock;
		this.retention = retention;
		this.interval = interval;
		if (retention.isNegative() || retention.isZero()) {
			throw new IllegalArgumentException("bulkfhir.audit.retention must be positive, not " + retention);
		}
	}

	@Override
	public void start() {
		scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, "bulkfhir-audit-retention");
			thread.setDaemon(true);
			return thread;
		});
		long millis = Math.max(1000, interval.toMillis());
		scheduler.scheduleWithFixedDelay(this::purgeQuietly, millis, millis, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return scheduler != null && !scheduler.isShutdown();
	}

	private void purgeQuietly() {
		try {
			purge();
		} catch (RuntimeException e) {
			LOG.warn("Audit retention pass failed: {}", e.toString());
		}
	}

	/** One pass; returns the number of entries deleted, or -1 when another node holds the lock. */
	public int purge() {
		int[] deleted = {-1};
		lock.runExclusively(LOCK, () -> deleted[0] = trail.deleteOlderThan(Instant.now().minus(retention)));
		if (deleted[0] > 0) {
			LOG.info("Deleted {} audit entries older than {}", deleted[0], retention);
		}
		return deleted[0];
	}
}
