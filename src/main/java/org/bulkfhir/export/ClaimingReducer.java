package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.ChunkExecutionDetails;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IReductionStepWorker;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.model.ChunkOutcome;
import ca.uhn.fhir.model.api.IModelJson;
import jakarta.annotation.Nonnull;
import org.bulkfhir.cluster.WorkClaims;

/**
 * Claims a job's reduction step for the node that runs it, then hands over to the real reducer.
 * HAPI's reducer moves the instance to FINALIZE and, right after, feeds it the first chunk result
 * ({@code consume}) or, without results, calls {@code run}: the first of these records the claim.
 * While the claim's node lives, the FINALIZE instance is left alone however long the step takes.
 */
public class ClaimingReducer<PT extends IModelJson, IT extends IModelJson, OT extends IModelJson>
		implements IReductionStepWorker<PT, IT, OT> {

	private final IReductionStepWorker<PT, IT, OT> reducer;
	private final WorkClaims claims;
	private boolean claimed;

	public ClaimingReducer(IReductionStepWorker<PT, IT, OT> reducer, WorkClaims claims) {
		this.reducer = reducer;
		this.claims = claims;
	}

	@Nonnull
	@Override
	public ChunkOutcome consume(ChunkExecutionDetails<PT, IT> details) {
		claimOnce(details.getInstanceId());
		return reducer.consume(details);
	}

	@Nonnull
	@Override
	public RunOutcome run(@Nonnull StepExecutionDetails<PT, IT> details, @Nonnull IJobDataSink<OT> sink) {
		claimOnce(details.getInstance().getInstanceId());
		return reducer.run(details, sink);
	}

	private void claimOnce(String instanceId) {
		if (!claimed) {
			claims.claim(WorkClaims.Kind.REDUCER, instanceId, instanceId);
			claimed = true;
		}
	}

	@Override
	public IReductionStepWorker<PT, IT, OT> newInstance() {
		return new ClaimingReducer<>(reducer.newInstance(), claims);
	}
}
