package org.bulkfhir.read;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.binary.interceptor.BinaryStorageInterceptor;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks at start-up that the plugin can read the host's data the way it is stored: HAPI settings
 * that change where data lives, and every HAPI table and column the plugin's SQL reads
 * ({@link HapiSchema}). Anything it cannot handle switches the export endpoints off
 * ({@link ExportAvailability}: they answer 503 with the reason) and is logged at ERROR once; the
 * host server keeps running.
 */
public class HapiCompatibility implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(HapiCompatibility.class);

	private final Supplier<PartitionSettings> partitionSettings;
	private final Supplier<JpaStorageSettings> storageSettings;
	private final Supplier<Collection<Object>> interceptors;
	private final JdbcTemplate jdbc;
	private final ExportAvailability availability;
	private volatile boolean running;
	private String lastLogged;

	/**
	 * @param interceptors every interceptor registered with the host (HAPI's global interceptor
	 *     service and its RestfulServers)
	 */
	public HapiCompatibility(
			Supplier<PartitionSettings> partitionSettings,
			Supplier<JpaStorageSettings> storageSettings,
			Supplier<Collection<Object>> interceptors,
			JdbcTemplate jdbc,
			ExportAvailability availability) {
		this.partitionSettings = partitionSettings;
		this.storageSettings = storageSettings;
		this.interceptors = interceptors;
		this.jdbc = jdbc;
		this.availability = availability;
	}

	/** Runs every check, switches the export endpoints on or off, and returns the problems found. */
	public synchronized List<String> check() {
		List<String> problems = new ArrayList<>();
		try {
			problems.addAll(settingProblems(partitionSettings.get(), storageSettings.get(), interceptors.get()));
			List<String> missing = HapiSchema.missing(jdbc);
			if (!missing.isEmpty()) {
				problems.add("HAPI's database schema lacks what the plugin reads: " + String.join(", ", missing)
						+ " (this plugin build reads HAPI FHIR 8.8's schema; use the plugin build for the host's HAPI"
						+ " version)");
			}
		} catch (RuntimeException e) {
			problems.add("the check of HAPI's settings and schema failed: " + e);
		}
		String reason = problems.isEmpty() ? null : "Bulk Data export is switched off on this server: "
				+ String.join("; ", problems) + ". The rest of the FHIR server works as usual.";
		availability.set(reason);
		if (reason != null && !reason.equals(lastLogged)) {
			LOG.error(reason);
		} else if (reason == null && lastLogged != null) {
			LOG.info("HAPI's settings and schema suit bulkfhir again: Bulk Data export is switched on");
		}
		lastLogged = reason;
		return problems;
	}

	/** The settings this plugin cannot honour, each with the setting named. */
	public static List<String> settingProblems(
			PartitionSettings partitions, JpaStorageSettings storage, Collection<Object> interceptors) {
		List<String> problems = new ArrayList<>();
		if (partitions != null && partitions.isPartitioningEnabled()) {
			problems.add("HAPI partitioning is enabled (PartitionSettings.isPartitioningEnabled(),"
					+ " hapi.fhir.partitioning in jpaserver-starter); bulkfhir does not export by partition and would"
					+ " mix the data of all partitions");
		}
		if (storage != null) {
			if (storage.isAccessMetaSourceInformationFromProvenanceTable()) {
				problems.add("meta.source is read from HFJ_RES_VER_PROV"
						+ " (JpaStorageSettings.isAccessMetaSourceInformationFromProvenanceTable() is true); bulkfhir"
						+ " reads it from HFJ_RES_VER.SOURCE_URI/REQUEST_ID only: migrate the old data with $reindex"
						+ " and switch the setting off");
			}
		}
		if (interceptors.stream().anyMatch(BinaryStorageInterceptor.class::isInstance)) {
			problems.add("binary storage is on (a BinaryStorageInterceptor is registered,"
					+ " hapi.fhir.binary_storage_enabled in jpaserver-starter): large attachments are stored outside"
					+ " the resources, and bulkfhir would export their placeholders instead of their data");
		}
		return problems;
	}

	@Override
	public void start() {
		check();
		running = true;
	}

	@Override
	public void stop() {
		running = false;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Before the export pacer and the web server start. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE + 200;
	}
}
