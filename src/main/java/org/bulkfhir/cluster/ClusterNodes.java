package org.bulkfhir.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The nodes of the cluster and whether they are alive (table {@code BF_NODE}). Every node gets a
 * new id when it starts and adds one to its row's {@code BEAT} counter every heartbeat interval.
 * Whether another node is alive is judged by watching its counter on this node's own monotonic
 * clock: a counter that has not moved for the node timeout belongs to a dead node (killed, crashed,
 * cut off from the database), and so does every earlier run of a restarted node. No two clocks
 * are ever compared, so clock skew between nodes or with the database does not matter, and a
 * pause of the observer itself cannot make another node look dead.
 */
public class ClusterNodes implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(ClusterNodes.class);

	private final JdbcTemplate jdbc;
	private final Duration heartbeatInterval;
	private final Duration nodeTimeout;
	private final String description = ManagementFactory.getRuntimeMXBean().getName();
	/** What this node last saw of every other node: its counter and when (System.nanoTime) it last moved. */
	private final Map<String, long[]> observed = new HashMap<>();

	private volatile String nodeId;
	private volatile boolean running;
	private Thread thread;

	public ClusterNodes(JdbcTemplate jdbc, Duration heartbeatInterval, Duration nodeTimeout) {
		this.jdbc = jdbc;
		this.heartbeatInterval = heartbeatInterval;
		this.nodeTimeout = nodeTimeout;
		if (nodeTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
			LOG.warn("bulkfhir.cluster.node-timeout ({}) is less than three heartbeat intervals ({}): a node that"
					+ " is only slow may be taken for dead and its work run twice", nodeTimeout, heartbeatInterval);
		}
		register();
	}

	/** This node's id (a new one for every run of the JVM). */
	public String nodeId() {
		return nodeId;
	}

	public Duration nodeTimeout() {
		return nodeTimeout;
	}

	private void register() {
		String id = UUID.randomUUID().toString();
		Timestamp now = new Timestamp(System.currentTimeMillis());
		jdbc.update("INSERT INTO BF_NODE (NODE_ID, DESCRIPTION, STARTED, BEAT, BEAT_TIME) VALUES (?, ?, ?, 0, ?)",
				id, description, now, now);
		nodeId = id;
		LOG.info("bulkfhir node {} ({}) joined the cluster", id, description);
	}

	void beat() {
		int updated = jdbc.update("UPDATE BF_NODE SET BEAT = BEAT + 1, BEAT_TIME = ? WHERE NODE_ID = ?",
				new Timestamp(System.currentTimeMillis()), nodeId);
		if (updated == 0) {
			String old = nodeId;
			register();
			LOG.error("This node ({}) was taken for dead by another node (no heartbeat for over {}); the export"
					+ " work it held was handed to other nodes. It goes on as node {}", old, nodeTimeout, nodeId);
		}
	}

	/**
	 * Reads every node's counter and returns which nodes are alive and which are dead (id →
	 * description). A node seen for the first time counts as alive until it has been watched for
	 * the node timeout.
	 */
	public synchronized Liveness liveness() {
		long now = System.nanoTime();
		Set<String> live = new HashSet<>();
		Map<String, String> dead = new LinkedHashMap<>();
		List<Map<String, Object>> rows = jdbc.queryForList("SELECT NODE_ID, DESCRIPTION, BEAT FROM BF_NODE");
		Set<String> present = new HashSet<>();
		for (Map<String, Object> row : rows) {
			String id = (String) row.get("NODE_ID");
			long beat = ((Number) row.get("BEAT")).longValue();
			present.add(id);
			long[] seen = observed.get(id);
			if (seen == null || seen[0] != beat) {
				observed.put(id, new long[] {beat, now});
				live.add(id);
			} else if (id.equals(nodeId) || now - seen[1] < nodeTimeout.toNanos()) {
				live.add(id);
			} else {
				dead.put(id, row.get("DESCRIPTION") + ", silent for " + Duration.ofNanos(now - seen[1]).toSeconds() + " s");
			}
		}
		observed.keySet().retainAll(present);
		live.add(nodeId);
		return new Liveness(live, dead);
	}

	/** Removes a dead node's row once its work has been given back. */
	public void forget(String deadNodeId) {
		if (!deadNodeId.equals(nodeId)) {
			jdbc.update("DELETE FROM BF_NODE WHERE NODE_ID = ?", deadNodeId);
		}
	}

	/** Nodes that are alive, and dead ones with a description of each. */
	public record Liveness(Set<String> live, Map<String, String> dead) {}

	@Override
	public void start() {
		running = true;
		thread = new Thread(this::loop, "bulkfhir-heartbeat");
		thread.setDaemon(true);
		thread.start();
	}

	private void loop() {
		while (running) {
			try {
				beat();
			} catch (RuntimeException e) {
				LOG.warn("Heartbeat of node {} failed: {}", nodeId, e.toString());
			}
			try {
				Thread.sleep(heartbeatInterval.toMillis());
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public void stop() {
		running = false;
		if (thread != null) {
			thread.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	/** Beats before anything else starts and stops beating last. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE + 100;
	}
}
