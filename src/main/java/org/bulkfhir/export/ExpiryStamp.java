package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.ChunkExecutionDetails;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IReductionStepWorker;
import ca.uhn.fhir.batch2.api.IWarningProcessor;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.model.ChunkOutcome;
import ca.uhn.fhir.batch2.model.WorkChunkData;
import jakarta.annotation.Nonnull;

import java.time.Duration;

/**
 * Fixes when a finished export expires, as the report is stored: its completion time plus the
 * {@code bulkfhir.export.expiry} in force then. Every reader ({@link ExportJob#expiresAt}) takes
 * that stored instant, so a later change of the setting leaves published exports as announced.
 */
public class ExpiryStamp implements IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> {

	private final IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> manifest;
	private final Duration expiry;

	public ExpiryStamp(IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> manifest, Duration expiry) {
		this.manifest = manifest;
		this.expiry = expiry;
	}

	@Nonnull
	@Override
	public ChunkOutcome consume(ChunkExecutionDetails<ExportJobParameters, ChunkResult> details) {
		return manifest.consume(details);
	}

	@Nonnull
	@Override
	public RunOutcome run(
			@Nonnull StepExecutionDetails<ExportJobParameters, ChunkResult> details,
			@Nonnull IJobDataSink<ExportReport> sink) {
		return manifest.run(details, new IJobDataSink<>() {
			@Override
			public void accept(WorkChunkData<ExportReport> data) {
				stamp(data.getData(), expiry);
				sink.accept(data);
			}

			@Override
			public void recoveredError(String message) {
				sink.recoveredError(message);
			}

			@Override
			public void setWarningProcessor(IWarningProcessor processor) {
				sink.setWarningProcessor(processor);
			}
		});
	}

	/** Sets the report's expiry from its completion time (now, for a report without one). */
	static void stamp(ExportReport report, Duration expiry) {
		if (report.getCompletedAt() == 0) {
			report.setCompletedAt(System.currentTimeMillis());
		}
		report.setExpiresAt(report.getCompletedAt() + expiry.toMillis());
	}

	@Override
	public IReductionStepWorker<ExportJobParameters, ChunkResult, ExportReport> newInstance() {
		return new ExpiryStamp(manifest.newInstance(), expiry);
	}
}
