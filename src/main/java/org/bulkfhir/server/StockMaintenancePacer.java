package org.bulkfhir.server;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Benchmark only ({@code bulkfhir.server.stock-fast-maintenance=true}): runs HAPI's batch2
 * maintenance pass every {@code bulkfhir.server.stock-maintenance-interval} ms instead of once a
 * minute, so stock $export is measured at the fastest pace its job framework allows. Together with
 * job fast-tracking (set in {@link HapiServerConfig}), this is the "strongest form" of stock.
 */
@Component
@ConditionalOnProperty(name = "bulkfhir.server.stock-fast-maintenance", havingValue = "true")
public class StockMaintenancePacer implements SmartLifecycle {

	private final IJobMaintenanceService maintenance;
	private final long intervalMillis;
	private volatile boolean running;
	private Thread thread;

	public StockMaintenancePacer(
			IJobMaintenanceService maintenance,
			@Value("${bulkfhir.server.stock-maintenance-interval:100}") long intervalMillis) {
		this.maintenance = maintenance;
		this.intervalMillis = intervalMillis;
	}

	@Override
	public void start() {
		running = true;
		thread = new Thread(this::loop, "bench-stock-maintenance");
		thread.setDaemon(true);
		thread.start();
	}

	private void loop() {
		while (running) {
			// runMaintenancePass skips (returns at once) when a pass is already in progress.
			maintenance.runMaintenancePass();
			try {
				Thread.sleep(intervalMillis);
			} catch (InterruptedException e) {
				return;
			}
		}
	}

	@Override
	public void stop() {
		running = false;
		if (thread != null) {
			thread.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}
}
