package org.bulkfhir.server.sample;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Loads the sample population at start-up when {@code bulkfhir.sample-data.patients} is above 0
 * and the database has no sample Group yet (so a restart does not load it twice).
 *
 * <p>It runs as the last lifecycle step before Spring Boot's web server opens its port, so a
 * client never meets a server whose sample data is half there (the demo's walk-through asked for
 * {@code Group/small} and got 404s while the data was still loading). HAPI's DAOs are usable by
 * then: every bean exists, and the search parameter registry fills itself on first use.
 */
@Component
public class SampleDataLoader implements SmartLifecycle {

	/** Spring Boot's WebServerStartStopLifecycle starts at {@code Integer.MAX_VALUE - 2048}. */
	static final int PHASE = Integer.MAX_VALUE - 2048 - 1;

	private static final Logger LOG = LoggerFactory.getLogger(SampleDataLoader.class);

	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final DaoRegistry daoRegistry;
	private final JdbcTemplate jdbc;
	private final int patients;
	private final int encounters;
	private volatile boolean running;

	public SampleDataLoader(
			IFhirSystemDao<Bundle, ?> systemDao,
			DaoRegistry daoRegistry,
			DataSource dataSource,
			@Value("${bulkfhir.sample-data.patients:0}") int patients,
			@Value("${bulkfhir.sample-data.encounters:3}") int encounters) {
		this.systemDao = systemDao;
		this.daoRegistry = daoRegistry;
		this.jdbc = new JdbcTemplate(dataSource);
		this.patients = patients;
		this.encounters = encounters;
	}

	@Override
	public void start() {
		running = true;
		if (patients > 0 && !alreadyLoaded()) {
			load();
		}
	}

	@Override
	public void stop() {
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private void load() {
		LOG.info("Loading sample data ({} patients) before the HTTP port opens", patients);
		long start = System.currentTimeMillis();
		long cpuStart = processCpuMillis();
		try (H2LoadWriteDelay relaxed = H2LoadWriteDelay.relax(jdbc)) {
			systemDao.transaction(new SystemRequestDetails(), SampleData.sharedResources());
			// Records first, then the Provenance linking each patient to the previous one: every
			// update then references only what already exists, so patients can load side by side.
			loadInParallel("records", index -> SampleData.patientOwnRecord(index, encounters));
			loadInParallel("cross-patient Provenance", SampleData::linkToPrevious);
		}
		// The Groups mark the load as done, so they are written after everything else is on disk.
		Bundle groups = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Group group : new Group[] {
			SampleData.group("all", "All sample patients", 0, patients, null),
			SampleData.group("small", "First ten sample patients", 0, Math.min(10, patients), Math.min(10, patients - 1))
		}) {
			groups.addEntry().setResource(group).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Group/" + group.getIdPart());
		}
		systemDao.transaction(new SystemRequestDetails(), groups);
		LOG.info("Loaded sample data: {} patients, {} resources each, Groups 'all' and 'small' in {} ms ({} ms of CPU)",
				patients, SampleData.resourcesPerPatient(encounters), System.currentTimeMillis() - start,
				processCpuMillis() - cpuStart);
	}

	/** CPU time says what the load costs even when other work shares the machine; -1 when unknown. */
	private static long processCpuMillis() {
		return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
				? os.getProcessCpuTime() / 1_000_000
				: -1;
	}

	/** Patients on every core: a benchmark-sized population loads in minutes, not hours. */
	private void loadInParallel(String what, IntFunction<Bundle> bundleForPatient) {
		int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		AtomicInteger done = new AtomicInteger();
		try {
			List<Future<?>> loads = new ArrayList<>();
			for (int i = 0; i < patients; i++) {
				int index = i;
				loads.add(pool.submit(() -> {
					store(bundleForPatient.apply(index));
					int loaded = done.incrementAndGet();
					if (loaded % 1000 == 0) {
						LOG.info("Sample data {}: {} of {} patients loaded", what, loaded, patients);
					}
				}));
			}
			for (Future<?> load : loads) {
				load.get();
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while loading sample data", e);
		} catch (ExecutionException e) {
			throw new IllegalStateException("Could not load sample data: " + e.getCause().getMessage(), e.getCause());
		} finally {
			pool.shutdownNow();
		}
	}

	/**
	 * Writes the bundle's resources in order, one update (and database transaction) each. Not as a
	 * FHIR transaction: HAPI resolves all of a transaction's ids up front in one query of OR-ed
	 * (type, id) pairs, which H2 answers by scanning the whole resource index, so loading slowed with
	 * every patient already stored. One id at a time uses the index. Not one database transaction
	 * per patient either: Hibernate then dirty-checks every entity of the patient so far before each
	 * query (auto-flush), and the load took 85 CPU-seconds instead of 61 for the demo's 60 patients.
	 */
	private void store(Bundle bundle) {
		SystemRequestDetails request = new SystemRequestDetails();
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			daoRegistry.getResourceDao(resource).update(resource, request);
		}
	}

	private boolean alreadyLoaded() {
		try {
			daoRegistry.getResourceDao("Group").read(new IdType("Group/all"), new SystemRequestDetails());
			return true;
		} catch (RuntimeException e) {
			return false;
		}
	}
}
