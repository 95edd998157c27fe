package org.bulkfhir.metrics;

import ca.uhn.fhir.batch2.model.JobInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.bulkfhir.auth.SmartEndpoints;
import org.bulkfhir.export.ExportJob;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The plugin's meters in the host's Micrometer registry (names and labels: docs/operations.md).
 *
 * <p>Every counter is moved by exactly one node of a cluster: the node whose transaction made the
 * change, after it committed (see {@link ExportLifecycleHooks}). The gauges read shared state (the
 * batch2 table, the export directory), so every node reports the same cluster-wide value.
 *
 * <p>Labels stay bounded: {@code level} has three values, {@code reason} the token endpoint's RFC 6749
 * error codes, {@code path} and {@code state} two each, and {@code client} the client ids that can
 * hold a token (registered clients, configured clients, or an external issuer's clients);
 * {@code bulkfhir.metrics.client-label=false} drops it.
 */
public class BulkFhirMeters implements SmartEndpoints.TokenListener {

	/** Buckets of the time to the manifest, from sub-second exports to the long ones. */
	static final Duration[] DURATION_BUCKETS = {
		Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
		Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
		Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
		Duration.ofHours(3)
	};
	private static final Logger LOG = LoggerFactory.getLogger(BulkFhirMeters.class);
	private static final String NO_CLIENT = "none";

	private final MeterRegistry registry;
	private final boolean clientLabel;
	// Micrometer holds a gauge's state object weakly: these keep them.
	private final JobCounts jobs;
	private final StoreUsage usage;

	public BulkFhirMeters(
			MeterRegistry registry,
			boolean clientLabel,
			ExportFileStore store,
			ExportJobStore jobStore,
			Duration gaugeCacheTime) {
		this.registry = registry;
		this.clientLabel = clientLabel;
		this.jobs = new JobCounts(jobStore, gaugeCacheTime);
		this.usage = new StoreUsage(store, gaugeCacheTime);
		Gauge.builder("bulkfhir.export.jobs", jobs, j -> j.get().running())
				.description("Exports running (in progress or writing their manifest), cluster-wide")
				.tag("state", "running")
				.register(registry);
		Gauge.builder("bulkfhir.export.jobs", jobs, j -> j.get().waiting())
				.description("Exports accepted and waiting for their first step, cluster-wide")
				.tag("state", "waiting")
				.register(registry);
		Gauge.builder("bulkfhir.storage.files", usage, u -> u.get().files())
				.description("Export files held in the export directory (all nodes share it)")
				.register(registry);
		Gauge.builder("bulkfhir.storage.used", usage, u -> u.get().bytes())
				.description("Bytes of the export files held in the export directory")
				.baseUnit("bytes")
				.register(registry);
		// The token counters exist from the start, so that a rate over them is defined before the first request.
		tokenCounter("issued", "none");
	}

	/** A new export was committed (its kick-off answered 202). */
	void exportStarted(ExportJobParameters params) {
		counter("bulkfhir.exports.started", "Exports accepted (kick-off answered 202)", exportTags(params)).increment();
	}

	/** An export ended: completed, failed or cancelled. */
	void exportEnded(JobInstance instance) {
		ExportJob job = new ExportJob(instance);
		ExportJobParameters params = job.parameters();
		Tags tags = exportTags(params);
		switch (instance.getStatus()) {
			case COMPLETED -> completed(instance, job, params, tags);
			case FAILED -> counter("bulkfhir.exports.failed", "Exports that failed", tags).increment();
			case CANCELLED -> counter("bulkfhir.exports.cancelled", "Exports cancelled while running (DELETE)", tags)
					.increment();
			default -> LOG.debug("Export {} ended in status {}; not counted", instance.getInstanceId(), instance.getStatus());
		}
	}

	private void completed(JobInstance instance, ExportJob job, ExportJobParameters params, Tags tags) {
		counter("bulkfhir.exports.completed", "Exports completed (manifest ready)", tags).increment();
		ExportReport report = job.report();
		if (report != null) {
			long resources = 0;
			long bytes = 0;
			for (ExportedFile file : report.getFiles()) {
				resources += file.getCount();
				bytes += file.getBytes();
			}
			long byHapi = Math.min(report.getReadByHapi(), resources);
			counter("bulkfhir.export.resources", "Resources written by completed exports, by how they were read:"
					+ " path=stored (the stored text) or path=hapi (parsed by HAPI)", tags.and("path", "stored"))
					.increment(resources - byHapi);
			counter("bulkfhir.export.resources", "Resources written by completed exports, by how they were read:"
					+ " path=stored (the stored text) or path=hapi (parsed by HAPI)", tags.and("path", "hapi"))
					.increment(byHapi);
			Counter.builder("bulkfhir.export.written")
					.description("Bytes of the files of completed exports")
					.baseUnit("bytes")
					.tags(tags)
					.register(registry)
					.increment(bytes);
		}
		if (instance.getCreateTime() != null) {
			long end = report != null && report.getCompletedAt() > 0 ? report.getCompletedAt() : System.currentTimeMillis();
			long millis = Math.max(0, end - instance.getCreateTime().getTime());
			Timer.builder("bulkfhir.export.duration")
					.description("Time from kick-off to the manifest of completed exports")
					.tag("level", level(params))
					.serviceLevelObjectives(DURATION_BUCKETS)
					.register(registry)
					.record(Duration.ofMillis(millis));
		}
	}

	@Override
	public void issued(String clientId) {
		tokenCounter("issued", "none").increment();
	}

	@Override
	public void refused(String error) {
		tokenCounter("refused", error == null ? "unknown" : error).increment();
	}

	private Counter tokenCounter(String outcome, String reason) {
		return counter("bulkfhir.token.requests",
				"Requests to the token endpoint: outcome=issued, or refused with the RFC 6749 error as reason",
				Tags.of("outcome", outcome, "reason", reason));
	}

	private Counter counter(String name, String description, Tags tags) {
		return Counter.builder(name).description(description).tags(tags).register(registry);
	}

	private Tags exportTags(ExportJobParameters params) {
		Tags tags = Tags.of("level", level(params));
		if (clientLabel) {
			String client = params == null ? null : params.getClientId();
			tags = tags.and("client", client == null ? NO_CLIENT : client);
		}
		return tags;
	}

	private static String level(ExportJobParameters params) {
		return params == null || params.getLevel() == null ? "unknown" : params.getLevel().name().toLowerCase(Locale.ROOT);
	}

	/** Exports running and waiting, from batch2's table; read at most once per cache time. */
	static final class JobCounts extends CachedValue<JobCounts.Counts> {
		record Counts(long running, long waiting) {}

		private final ExportJobStore jobStore;

		JobCounts(ExportJobStore jobStore, Duration cacheTime) {
			super(cacheTime, new Counts(0, 0));
			this.jobStore = jobStore;
		}

		@Override
		protected Counts load() {
			Map<String, Long> byStatus = jobStore.activeJobsByState();
			long running = byStatus.getOrDefault("IN_PROGRESS", 0L)
					+ byStatus.getOrDefault("FINALIZE", 0L)
					+ byStatus.getOrDefault("ERRORED", 0L);
			return new Counts(running, byStatus.getOrDefault("QUEUED", 0L));
		}
	}

	/** Files and bytes in the export store; walked at most once per cache time. */
	static final class StoreUsage extends CachedValue<ExportFileStore.Usage> {
		private final ExportFileStore store;

		StoreUsage(ExportFileStore store, Duration cacheTime) {
			super(cacheTime, new ExportFileStore.Usage(0, 0));
			this.store = store;
		}

		@Override
		protected ExportFileStore.Usage load() throws Exception {
			return store.usage();
		}
	}
}
