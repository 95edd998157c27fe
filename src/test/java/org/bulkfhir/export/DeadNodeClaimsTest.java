package org.bulkfhir.export;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claims a dead node left behind on work that no longer exists — the manifest step and a chunk of a
 * job deleted since — are released by the running server's recovery, and recovery goes on for the
 * rest: HAPI's {@code updateInstance} fails on a missing instance, which once made every recovery
 * pass fail, so the work of a dead node was never given back.
 */
class DeadNodeClaimsTest extends ServerTestBase {

	@Autowired
	DataSource dataSource;

	@Test
	void claimsOnDeletedJobsOfADeadNodeAreReleasedAndExportsGoOn() throws Exception {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		String deadNode = "dead-" + UUID.randomUUID();
		String deletedJob = UUID.randomUUID().toString();
		Timestamp now = new Timestamp(System.currentTimeMillis());
		jdbc.update("INSERT INTO BF_WORK_CLAIM (KIND, WORK_ID, INSTANCE_ID, NODE_ID, CLAIMED) VALUES (?, ?, ?, ?, ?)",
				"REDUCER", deletedJob, deletedJob, deadNode, now);
		jdbc.update("INSERT INTO BF_WORK_CLAIM (KIND, WORK_ID, INSTANCE_ID, NODE_ID, CLAIMED) VALUES (?, ?, ?, ?, ?)",
				"CHUNK", UUID.randomUUID().toString(), deletedJob, deadNode, now);

		long deadline = System.currentTimeMillis() + Duration.ofSeconds(30).toMillis();
		while (remaining(jdbc, deadNode) > 0) {
			assertThat(System.currentTimeMillis()).as("the dead node's claims released").isLessThan(deadline);
			Thread.sleep(200);
		}

		JsonNode manifest = client.export("Group/small/$export?_type=Patient");
		assertThat(manifest.get("output")).isNotEmpty();
	}

	private static int remaining(JdbcTemplate jdbc, String node) {
		Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM BF_WORK_CLAIM WHERE NODE_ID = ?", Integer.class, node);
		return count == null ? 0 : count;
	}
}
