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

	/** The report of a completed job, or null while it runs. */
	public ExportReport report() {
		String report = instance.getReport();
		return report == null || report.isBlank() ? null : JsonUtil.deserialize(report, ExportReport.class);
	}
}
