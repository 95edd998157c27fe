package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import org.bulkfhir.storage.ExportFileStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a new export may start: one client cannot run more than its share of exports
 * at once (429), and exports cannot fill the disk unnoticed (503 once the store passes its cap).
 * Both are checked at kick-off; two kick-offs in the same instant may both pass.
 */
public class ExportAdmission {

	private static final Set<StatusEnum> RUNNING =
			Set.of(StatusEnum.QUEUED, StatusEnum.IN_PROGRESS, StatusEnum.FINALIZE, StatusEnum.ERRORED);

	private final IJobPersistence persistence;
	private final ExportFileStore store;
	private final int maxRunningPerClient;
	private final long maxTotalBytes;

	public ExportAdmission(
			IJobPersistence persistence, ExportFileStore store, int maxRunningPerClient, long maxTotalBytes) {
		this.persistence = persistence;
		this.store = store;
		this.maxRunningPerClient = maxRunningPerClient;
		this.maxTotalBytes = maxTotalBytes;
	}

	public void check(String clientId) {
		if (maxTotalBytes > 0 && totalBytes() >= maxTotalBytes) {
			throw refusal(503, 60, "Export storage is full (" + maxTotalBytes + " bytes configured); try again once"
					+ " older exports have been downloaded and deleted or have expired");
		}
		if (maxRunningPerClient > 0 && runningFor(clientId) >= maxRunningPerClient) {
			throw refusal(429, 10, "This client already has " + maxRunningPerClient
					+ " exports running; wait for one to complete or delete one");
		}
	}

	private long runningFor(String clientId) {
		List<JobInstance> running = persistence.fetchInstancesByJobDefinitionIdAndStatus(
				ExportJobService.JOB_DEFINITION_ID, RUNNING, 1000, 0);
		return running.stream()
				.filter(i -> !i.isCancelled())
				.map(i -> i.getParameters(ExportJobParameters.class).getClientId())
				.filter(owner -> Objects.equals(owner, clientId))
				.count();
	}

	private long totalBytes() {
		try {
			return store.totalBytes();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static BaseServerResponseException refusal(int status, int retryAfterSeconds, String message) {
		BaseServerResponseException exception = new BaseServerResponseException(status, message) {};
		exception.addResponseHeader("Retry-After", Integer.toString(retryAfterSeconds));
		return exception;
	}
}
