package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import org.bulkfhir.cluster.ClusterNodes;
import org.bulkfhir.cluster.WorkClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Gives the export work of dead nodes back to the living. HAPI's open-source batch2 hands a work
 * chunk to the in-memory queue of one node and never looks at it again; if that JVM dies the chunk
 * stays QUEUED or IN_PROGRESS and the job never ends, and a reducer that was running leaves the
 * job in FINALIZE. Work here is attributed by claims ({@link WorkClaims}), and a node is dead when
 * its heartbeat has stopped ({@link ClusterNodes}); nothing is judged by how long work has taken,
 * so slow work on a live node is never touched. Only our own job's work is claimed, so no other
 * batch2 job is ever touched either.
 *
 * <p>Everything goes through HAPI's {@link IJobPersistence}: a dead node's chunk is dequeued
 * ({@code onWorkChunkDequeue}: QUEUED → IN_PROGRESS, under HAPI's row lock, only if it is still
 * QUEUED/IN_PROGRESS/ERRORED) and given a poll delay that has already passed
 * ({@code onWorkChunkPollDelay}: → POLL_WAITING), the state HAPI's maintenance pass itself moves
 * back to READY and queues again, data intact. A FINALIZE instance whose reducer died goes back
 * to IN_PROGRESS through {@code updateInstance}, and the next pass starts the reducer again.
 */
public class DeadNodeRecovery {

	private static final Logger LOG = LoggerFactory.getLogger(DeadNodeRecovery.class);
	private static final long CLEANUP_EVERY_NANOS = 30_000_000_000L;
	private static final Set<StatusEnum> RUNNING =
			Set.of(StatusEnum.QUEUED, StatusEnum.IN_PROGRESS, StatusEnum.ERRORED, StatusEnum.FINALIZE);

	private final ClusterNodes nodes;
	private final WorkClaims claims;
	private final IJobPersistence persistence;
	private final TransactionTemplate transactions;
	/** FINALIZE instances of ours seen without a claim, and since when (System.nanoTime). */
	private final Map<String, Long> unclaimedSince = new HashMap<>();
	private long lastCleanup = System.nanoTime();

	public DeadNodeRecovery(
			ClusterNodes nodes, WorkClaims claims, IJobPersistence persistence, TransactionTemplate transactions) {
		this.nodes = nodes;
		this.claims = claims;
		this.persistence = persistence;
		this.transactions = transactions;
	}

	/** One recovery pass (run by one node at a time); returns how many chunks and reducers were given back. */
	public synchronized int recover() {
		ClusterNodes.Liveness liveness = nodes.liveness();
		Map<String, int[]> givenBack = new TreeMap<>();
		for (WorkClaims.Claim claim : claims.heldByNoneOf(liveness.live())) {
			int[] counts = givenBack.computeIfAbsent(claim.nodeId(), n -> new int[2]);
			try {
				if (claim.kind() == WorkClaims.Kind.CHUNK) {
					counts[0] += giveBackChunk(claim.workId()) ? 1 : 0;
				} else {
					counts[1] += giveBackReducer(claim.workId()) ? 1 : 0;
				}
			} catch (RuntimeException e) {
				// One claim that cannot be given back must not hold back the others; it is tried again.
				LOG.warn("Could not give back {} {} of dead node {}: {}", claim.kind(), claim.workId(), claim.nodeId(),
						e.toString());
				continue;
			}
			claims.release(claim);
		}
		int total = 0;
		for (Map.Entry<String, int[]> entry : givenBack.entrySet()) {
			int[] counts = entry.getValue();
			total += counts[0] + counts[1];
			if (counts[0] + counts[1] > 0) {
				String node = liveness.dead().getOrDefault(entry.getKey(), "no longer registered");
				LOG.warn("Node {} ({}) is dead: gave back {} export work chunks and {} manifest steps it held",
						entry.getKey(), node, counts[0], counts[1]);
			}
		}
		liveness.dead().keySet().forEach(nodes::forget);
		total += recoverUnclaimedReducers();
		if (System.nanoTime() - lastCleanup > CLEANUP_EVERY_NANOS) {
			releaseClaimsOfEndedJobs();
			lastCleanup = System.nanoTime();
		}
		return total;
	}

	private boolean giveBackChunk(String chunkId) {
		Boolean done = transactions.execute(tx -> persistence.onWorkChunkDequeue(chunkId)
				.map(chunk -> {
					// Due a minute ago, so that no clock difference between nodes delays it.
					persistence.onWorkChunkPollDelay(chunkId, new Date(System.currentTimeMillis() - 60_000));
					return true;
				})
				.orElse(false));
		return Boolean.TRUE.equals(done);
	}

	private boolean giveBackReducer(String instanceId) {
		if (persistence.fetchInstance(instanceId).isEmpty()) {
			// The job was deleted since (HAPI's updateInstance fails on a missing instance).
			return false;
		}
		Boolean done = transactions.execute(tx -> persistence.updateInstance(instanceId, instance -> {
			if (instance.getStatus() != StatusEnum.FINALIZE) {
				return false;
			}
			// HAPI's state machine has no FINALIZE -> IN_PROGRESS (a reducer never gives up on its own);
			// back in IN_PROGRESS, the next maintenance pass starts the reduction step again.
			instance.setStatus(StatusEnum.IN_PROGRESS);
			return true;
		}));
		return Boolean.TRUE.equals(done);
	}

	/**
	 * A reducer claims its instance a moment after HAPI moved it to FINALIZE; a node that dies in
	 * that moment leaves a FINALIZE instance without a claim. No live node has claimed it for the
	 * node timeout: it goes back too.
	 */
	private int recoverUnclaimedReducers() {
		List<JobInstance> finalizing = persistence.fetchInstancesByJobDefinitionIdAndStatus(
				ExportJobService.JOB_DEFINITION_ID, Set.of(StatusEnum.FINALIZE), 100, 0);
		long now = System.nanoTime();
		Map<String, Long> stillUnclaimed = new HashMap<>();
		int recovered = 0;
		for (JobInstance instance : finalizing) {
			String id = instance.getInstanceId();
			if (claims.isClaimed(WorkClaims.Kind.REDUCER, id)) {
				continue;
			}
			long since = unclaimedSince.getOrDefault(id, now);
			if (now - since >= nodes.nodeTimeout().toNanos() && giveBackReducer(id)) {
				LOG.warn("Export job {} was in its manifest step, claimed by no node for {}: started again", id,
						nodes.nodeTimeout());
				recovered++;
			} else {
				stillUnclaimed.put(id, since);
			}
		}
		unclaimedSince.clear();
		unclaimedSince.putAll(stillUnclaimed);
		return recovered;
	}

	private void releaseClaimsOfEndedJobs() {
		for (String instanceId : claims.instanceIds()) {
			boolean running = persistence.fetchInstance(instanceId)
					.map(instance -> RUNNING.contains(instance.getStatus()))
					.orElse(false);
			if (!running) {
				claims.releaseInstance(instanceId);
			}
		}
	}
}
