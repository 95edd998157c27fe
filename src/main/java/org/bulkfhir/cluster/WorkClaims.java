package org.bulkfhir.cluster;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Timestamp;
import java.util.List;
import java.util.Set;

/**
 * Which node holds which piece of batch2 work (table {@code BF_WORK_CLAIM}). HAPI does not record
 * it: a work chunk that a node's maintenance pass moved to QUEUED sits in that node's in-memory
 * queue and is run there, and a reducer runs on the node whose pass started it. A claim names the
 * node; when that node is dead, its claims say exactly which work has to be given back.
 */
public class WorkClaims {

	/** What a claim is for: a work chunk (by chunk id) or a job's reduction step (by instance id). */
	public enum Kind {
		CHUNK,
		REDUCER
	}

	/** One claim. */
	public record Claim(Kind kind, String workId, String instanceId, String nodeId) {}

	private final NamedParameterJdbcTemplate jdbc;
	private final ClusterNodes nodes;

	public WorkClaims(NamedParameterJdbcTemplate jdbc, ClusterNodes nodes) {
		this.jdbc = jdbc;
		this.nodes = nodes;
	}

	/** Records that this node holds the work (replacing an earlier claim of another node). */
	public void claim(Kind kind, String workId, String instanceId) {
		MapSqlParameterSource params = new MapSqlParameterSource()
				.addValue("kind", kind.name())
				.addValue("work", workId)
				.addValue("instance", instanceId)
				.addValue("node", nodes.nodeId())
				.addValue("now", new Timestamp(System.currentTimeMillis()));
		String update = "UPDATE BF_WORK_CLAIM SET NODE_ID = :node, INSTANCE_ID = :instance, CLAIMED = :now"
				+ " WHERE KIND = :kind AND WORK_ID = :work";
		if (jdbc.update(update, params) > 0) {
			return;
		}
		try {
			jdbc.update("INSERT INTO BF_WORK_CLAIM (KIND, WORK_ID, INSTANCE_ID, NODE_ID, CLAIMED)"
					+ " VALUES (:kind, :work, :instance, :node, :now)", params);
		} catch (DataIntegrityViolationException inserted) {
			jdbc.update(update, params);
		}
	}

	/** Claims whose node is not among the given live nodes. */
	public List<Claim> heldByNoneOf(Set<String> liveNodes) {
		return jdbc.query(
				"SELECT KIND, WORK_ID, INSTANCE_ID, NODE_ID FROM BF_WORK_CLAIM WHERE NODE_ID NOT IN (:live)",
				new MapSqlParameterSource("live", liveNodes),
				(rs, i) -> new Claim(Kind.valueOf(rs.getString("KIND")), rs.getString("WORK_ID"),
						rs.getString("INSTANCE_ID"), rs.getString("NODE_ID")));
	}

	public boolean isClaimed(Kind kind, String workId) {
		Integer count = jdbc.queryForObject(
				"SELECT COUNT(*) FROM BF_WORK_CLAIM WHERE KIND = :kind AND WORK_ID = :work",
				new MapSqlParameterSource("kind", kind.name()).addValue("work", workId),
				Integer.class);
		return count != null && count > 0;
	}

	public void release(Claim claim) {
		jdbc.update("DELETE FROM BF_WORK_CLAIM WHERE KIND = :kind AND WORK_ID = :work AND NODE_ID = :node",
				new MapSqlParameterSource("kind", claim.kind().name())
						.addValue("work", claim.workId())
						.addValue("node", claim.nodeId()));
	}

	/** The job instances that claims exist for. */
	public List<String> instanceIds() {
		return jdbc.getJdbcTemplate().queryForList("SELECT DISTINCT INSTANCE_ID FROM BF_WORK_CLAIM", String.class);
	}

	/** Drops every claim of a job that no longer runs. */
	public void releaseInstance(String instanceId) {
		jdbc.update("DELETE FROM BF_WORK_CLAIM WHERE INSTANCE_ID = :instance",
				new MapSqlParameterSource("instance", instanceId));
	}
}
