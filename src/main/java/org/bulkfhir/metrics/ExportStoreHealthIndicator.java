package org.bulkfhir.metrics;

import org.bulkfhir.storage.ExportFileStore;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The export directory: UP while new exports can be written there, DOWN when it is not writable, its
 * files have reached {@code bulkfhir.storage.max-total-bytes}, or its file system has less free space
 * than {@code bulkfhir.storage.min-free-bytes} (the conditions under which kick-offs get 503). The
 * details carry numbers only, never the directory's path.
 */
public class ExportStoreHealthIndicator extends AbstractHealthIndicator {

	private final ExportFileStore store;
	private final long maxTotalBytes;
	private final long minFreeBytes;

	public ExportStoreHealthIndicator(ExportFileStore store, long maxTotalBytes, long minFreeBytes) {
		super("bulkfhir export store check failed");
		this.store = store;
		this.maxTotalBytes = maxTotalBytes;
		this.minFreeBytes = minFreeBytes;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		boolean writable;
		try {
			store.checkWritable();
			writable = true;
		} catch (Exception e) {
			writable = false;
		}
		ExportFileStore.Usage usage = store.usage();
		long free = store.usableBytes();
		boolean full = maxTotalBytes > 0 && usage.bytes() >= maxTotalBytes;
		boolean lowSpace = minFreeBytes > 0 && free < minFreeBytes;
		builder.withDetail("writable", writable)
				.withDetail("files", usage.files())
				.withDetail("usedBytes", usage.bytes())
				.withDetail("maxTotalBytes", maxTotalBytes)
				.withDetail("freeBytes", free)
				.withDetail("minFreeBytes", minFreeBytes);
		if (!writable) {
			builder.down().withDetail("reason", "the export directory is not writable");
		} else if (full) {
			builder.down().withDetail("reason", "the export files have reached bulkfhir.storage.max-total-bytes;"
					+ " new exports are refused");
		} else if (lowSpace) {
			builder.down().withDetail("reason", "the export file system has less free space than"
					+ " bulkfhir.storage.min-free-bytes; new exports are refused");
		} else {
			builder.up();
		}
	}
}
