package org.bulkfhir.export;

import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.util.JsonUtil;

/** A batch2 instance of our job, with its parameters and report decoded. */
public class ExportJob {

	private final JobInstance instance;
	private final ExportJobParameters parameters;

	public ExportJob(JobInstance instance) {
		this.instance = instance;
		this.parameters = instance.getParameters(ExportJobParameters.class);
	}

	public String id() {
		return instance.getInstanceId();
	}

	public JobInstance instance() {
		return instance;
	}

	public ExportJobParameters parameters() {
		return parameters;
	}

	/**
	 * When a completed job's files expire, or null while it is not complete: the instant stored at
	 * completion; {@code expiry} (the current setting) only for jobs of releases that stored none.
	 */
	public java.time.Instant expiresAt(java.time.Duration expiry) {
		ExportReport report = report();
		return report == null ? null : report.expiresAt(expiry);
	}

	public boolean isExpired(java.time.Duration expiry) {
		java.time.Instant expiresAt = expiresAt(expiry);
		return expiresAt != null && !expiresAt.isAfter(java.time.Instant.now());
	}

	/** The report of a completed job, or null while it runs. */
	public ExportReport report() {
		String report = instance.getReport();
		return report == null || report.isBlank() ? null : JsonUtil.deserialize(report, ExportReport.class);
	}
}
