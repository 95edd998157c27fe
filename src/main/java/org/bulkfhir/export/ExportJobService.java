package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** Starts, finds and removes export jobs; the one place that knows how they map onto batch2. */
public class ExportJobService {

	public static final String JOB_DEFINITION_ID = "BULKFHIR_EXPORT";

	private static final Logger LOG = LoggerFactory.getLogger(ExportJobService.class);
	private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

	private final IJobCoordinator coordinator;
	private final IJobPersistence persistence;
	private final ExportFileStore store;
	private final BatchPacer pacer;
	private final TransactionTemplate transactions;
	private final ExportAdmission admission;

	public ExportJobService(
			IJobCoordinator coordinator,
			IJobPersistence persistence,
			ExportFileStore store,
			BatchPacer pacer,
			TransactionTemplate transactions,
			ExportAdmission admission) {
		this.coordinator = coordinator;
		this.persistence = persistence;
		this.store = store;
		this.pacer = pacer;
		this.transactions = transactions;
		this.admission = admission;
	}

	/**
	 * Creates a new job (never reuses another) if {@link ExportAdmission} lets it start; it is
	 * committed to the database when this returns.
	 */
	public String start(ExportJobParameters params, RequestDetails request) {
		// Serialized the way IJobCoordinator.startInstance would; ExportAdmission creates the instance.
		String json = new JobInstanceStartRequest().setParameters(params).getParameters();
		String id = admission.admit(params, json, request);
		LOG.info("Started export job {} ({} level, client {})", id, params.getLevel(), params.getClientId());
		pacer.wake();
		return id;
	}

	/**
	 * A job of ours that the caller may see. Another client's job, a job of another kind, a
	 * cancelled or unknown job all look the same: not found.
	 */
	public ExportJob find(String jobId, String callerClientId) {
		JobInstance instance = (jobId == null || !JOB_ID.matcher(jobId).matches())
				? null
				: persistence.fetchInstance(jobId).orElse(null);
		if (instance == null
				|| !JOB_DEFINITION_ID.equals(instance.getJobDefinitionId())
				|| instance.isCancelled()
				|| instance.getStatus() == StatusEnum.CANCELLED) {
			throw notFound(jobId);
		}
		ExportJob job = new ExportJob(instance);
		if (!Objects.equals(callerClientId, job.parameters().getClientId())) {
			throw notFound(jobId);
		}
		return job;
	}

	public Optional<ExportJob> findAny(String jobId) {
		return persistence.fetchInstance(jobId)
				.filter(i -> JOB_DEFINITION_ID.equals(i.getJobDefinitionId()))
				.map(ExportJob::new);
	}

	/**
	 * Cancels a running job, or removes a finished one with its files. A cancelled job's files
	 * are removed by {@link BatchPacer} once batch2 has stopped it.
	 */
	public void delete(ExportJob job) {
		String id = job.id();
		if (job.instance().getStatus().isEnded()) {
			removeNow(id);
		} else {
			coordinator.cancelInstance(id);
			pacer.wake();
			LOG.info("Cancelled export job {}", id);
		}
	}

	/** Deletes the job's files and its batch2 records. */
	public void removeNow(String id) {
		try {
			store.deleteJob(id);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		transactions.executeWithoutResult(tx -> persistence.deleteInstanceAndChunks(id));
		LOG.info("Removed export job {} and its files", id);
	}

	private static ResourceNotFoundException notFound(String jobId) {
		return new ResourceNotFoundException("No export job with id '" + sanitize(jobId)
				+ "' is visible to this client: it does not exist, was deleted, or has expired");
	}

	static String sanitize(String value) {
		if (value == null) {
			return "";
		}
		String cleaned = value.replaceAll("[^A-Za-z0-9._-]", "?");
		return cleaned.length() > 64 ? cleaned.substring(0, 64) + "..." : cleaned;
	}
}
