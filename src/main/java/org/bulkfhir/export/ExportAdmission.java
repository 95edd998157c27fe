package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.util.JsonUtil;
import org.bulkfhir.errors.Refusal;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Decides whether a new export may start, and starts it: one client cannot run more than its share
 * of exports at once, nor keep more than its share of completed exports (429), and exports cannot
 * fill the disk (503 once the store passes its cap or the file system its free-space floor).
 *
 * <p>The per-client limits hold under any number of simultaneous kick-offs, on one node or many:
 * admission locks the client's row of {@code BF_EXPORT_ADMISSION}, counts the client's jobs and
 * creates the batch2 instance with its first work chunk in that same database transaction. A second
 * kick-off of the client waits for the lock and then counts the first one's job. HAPI's
 * {@code IJobCoordinator.startInstance} would create the instance in a transaction of its own
 * ({@code REQUIRES_NEW}), needing a second pooled connection while the first holds the lock; the
 * plugin therefore calls the step it wraps, {@code IJobPersistence.onCreateWithFirstChunk}, itself.
 * {@code BF_EXPORT_OWNER} records which client owns which job (and its Group), so that counting
 * and the admin job list need no JSON.
 */
public class ExportAdmission {

	/** Limits of one install; 0 switches a limit off. */
	public record Limits(
			int maxRunningPerClient, int maxFinishedPerClient, long maxTotalBytes, long minFreeBytes, Duration expiry) {}

	private static final Logger LOG = LoggerFactory.getLogger(ExportAdmission.class);
	private static final int LOCK_ATTEMPTS = 5;

	private final ExportJobStore jobStore;
	private final TransactionTemplate transactions;
	private final IJobPersistence persistence;
	private final JobDefinition<?> definition;
	private final ExportFileStore store;
	private final Limits limits;

	public ExportAdmission(
			ExportJobStore jobStore,
			TransactionTemplate transactions,
			IJobPersistence persistence,
			JobDefinition<?> definition,
			ExportFileStore store,
			Limits limits) {
		this.jobStore = jobStore;
		this.transactions = transactions;
		this.persistence = persistence;
		this.definition = definition;
		this.store = store;
		this.limits = limits;
	}

	/**
	 * Starts the job if the limits allow it and returns its id; the instance is committed when this
	 * returns. Throws a {@link Refusal} (429 or 503 with {@code Retry-After}) otherwise.
	 */
	public String admit(ExportJobParameters params, String parametersJson, RequestDetails request) {
		checkStorage();
		String clientKey = clientKey(params.getClientId());
		ensureLockRow(clientKey);
		for (int attempt = 1; ; attempt++) {
			try {
				return transactions.execute(tx -> admitLocked(clientKey, params.getGroupId(), parametersJson, request));
			} catch (ConcurrencyFailureException e) {
				// The database gave up waiting for the client's lock (H2's lock timeout) or could not
				// serialize: the other kick-offs of this client are still being admitted.
				if (attempt == LOCK_ATTEMPTS) {
					LOG.warn("Export admission of client {} gave up after {} lock attempts: {}",
							params.getClientId(), attempt, e.toString());
					throw new Refusal(429, 5, "Too many simultaneous export kick-offs of this client; try again");
				}
			}
		}
	}

	private String admitLocked(String clientKey, String groupId, String parametersJson, RequestDetails request) {
		requireSharedConnection();
		long now = System.currentTimeMillis();
		jobStore.lockAdmissionRow(clientKey, new Timestamp(now));
		if (limits.maxRunningPerClient() > 0) {
			int running = jobStore.activeJobsOf(clientKey);
			if (running >= limits.maxRunningPerClient()) {
				throw new Refusal(429, 10, "This client already has " + limits.maxRunningPerClient()
						+ " exports running; wait for one to complete or delete one");
			}
		}
		if (limits.maxFinishedPerClient() > 0) {
			int finished = unexpiredCompleted(clientKey, now);
			if (finished >= limits.maxFinishedPerClient()) {
				throw new Refusal(429, 60, "This client has " + limits.maxFinishedPerClient()
						+ " completed exports whose files are still kept; DELETE the status URL of exports you"
						+ " have downloaded (or wait until they expire) before starting another");
			}
		}
		String jobId = persistence.onCreateWithFirstChunk(request, definition, parametersJson).jobInstanceId;
		jobStore.recordOwner(jobId, clientKey, new Timestamp(now), groupKey(groupId));
		return jobId;
	}

	/** The client's completed jobs whose files are still kept: by the expiry each stored at completion. */
	private int unexpiredCompleted(String clientKey, long now) {
		List<String> reports = jobStore.completedReportsOf(clientKey);
		int unexpired = 0;
		for (String report : reports) {
			if (report == null || report.isBlank()
					|| JsonUtil.deserialize(report, ExportReport.class).expiresAt(limits.expiry()).toEpochMilli() > now) {
				unexpired++;
			}
		}
		return unexpired;
	}

	/** The client's lock row; created once, by whichever kick-off comes first. */
	private void ensureLockRow(String clientKey) {
		if (jobStore.hasAdmissionRow(clientKey)) {
			return;
		}
		try {
			jobStore.createAdmissionRow(clientKey, new Timestamp(System.currentTimeMillis()));
		} catch (DuplicateKeyException e) {
			// another kick-off of the same client created it meanwhile
		}
	}

	/**
	 * The lock only serializes admission if our JDBC statements run on the connection of the JPA
	 * transaction that creates the instance; a host whose transaction manager does not expose its
	 * connection to JDBC would silently lose that.
	 */
	private void requireSharedConnection() {
		if (!TransactionSynchronizationManager.hasResource(jobStore.dataSource())) {
			throw new IllegalStateException("bulkfhir export admission needs the host's transaction manager to"
					+ " share its connection with JDBC (a JpaTransactionManager with the DataSource of the HAPI"
					+ " persistence unit)");
		}
	}

	private void checkStorage() {
		try {
			store.checkWritable();
		} catch (IOException | RuntimeException e) {
			LOG.warn("Refusing new exports: the export directory is not writable ({})", e.toString());
			throw new Refusal(503, 60, "Export storage is unavailable (its directory cannot be written);"
					+ " try again later");
		}
		try {
			if (limits.maxTotalBytes() > 0 && store.totalBytes() >= limits.maxTotalBytes()) {
				throw new Refusal(503, 60, "Export storage is full (" + limits.maxTotalBytes() + " bytes configured);"
						+ " try again once older exports have been downloaded and deleted or have expired");
			}
			if (limits.minFreeBytes() > 0 && store.usableBytes() < limits.minFreeBytes()) {
				LOG.warn("Refusing new exports: the export file system has less than {} bytes free",
						limits.minFreeBytes());
				throw new Refusal(503, 60, "Export storage is full (the disk is almost full); try again once"
						+ " older exports have been downloaded and deleted or have expired");
			}
		} catch (IOException e) {
			LOG.warn("Refusing new exports: the export directory cannot be read ({})", e.toString());
			throw new Refusal(503, 60, "Export storage is unavailable (its directory cannot be read); try again later");
		}
	}

	/** The Group's id as {@code BF_EXPORT_OWNER.GROUP_ID} holds it (lower case, for the admin filter); null for none. */
	public static String groupKey(String groupId) {
		if (groupId == null) {
			return null;
		}
		String key = groupId.toLowerCase(java.util.Locale.ROOT);
		return key.length() <= 200 ? key : key.substring(0, 200);
	}

	/** The client's key in our tables: its id when short enough, a hash otherwise. */
	public static String clientKey(String clientId) {
		if (clientId == null) {
			return "anonymous";
		}
		String key = "c:" + clientId;
		if (key.length() <= 200) {
			return key;
		}
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			return "h:" + HexFormat.of().formatHex(sha.digest(clientId.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
