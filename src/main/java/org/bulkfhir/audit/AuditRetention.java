package org.bulkfhir.audit;

import org.bulkfhir.cluster.ClusterLock;
import org.bulkfhir.lifecycle.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Deletes audit entries older than the retention period, every {@code purge-interval}, on one node
 * of the cluster at a time ({@link ClusterLock}). Entries outlive the jobs and files they describe;
 * only their age removes them.
 */
public class AuditRetention extends PeriodicTask {

	static final String LOCK = "audit-retention";
	private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

	private final AuditTrail trail;
	private final ClusterLock lock;
	private final Duration retention;

	public AuditRetention(AuditTrail trail, ClusterLock lock, Duration retention, Duration interval) {
		super("bulkfhir-audit-retention", Duration.ofMillis(Math.max(1000, interval.toMillis())));
		this.trail = trail;
		this.lock = lock;
		this.retention = retention;
		if (retention.isNegative() || retention.isZero()) {
			throw new IllegalArgumentException("bulkfhir.audit.retention must be positive, not " + retention);
		}
	}

	@Override
	protected void runPass() throws Exception {
		purge();
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
