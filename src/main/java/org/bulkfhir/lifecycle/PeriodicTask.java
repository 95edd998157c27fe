package org.bulkfhir.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A pass that runs on a daemon thread of its own every {@code interval} while the application
 * runs. A failed pass is logged and the next one runs on time.
 */
public abstract class PeriodicTask implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

	private final String threadName;
	private final Duration interval;
	private ScheduledExecutorService scheduler;

	protected PeriodicTask(String threadName, Duration interval) {
		this.threadName = threadName;
		this.interval = interval;
	}

	/** One pass. */
	protected abstract void runPass() throws Exception;

	@Override
	public void start() {
		scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread thread = new Thread(r, threadName);
			thread.setDaemon(true);
			return thread;
		});
		long millis = interval.toMillis();
		scheduler.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
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

	private void runQuietly() {
		try {
			runPass();
		} catch (Exception e) {
			LOG.warn("{} pass failed: {}", threadName, e.toString());
		}
	}
}
