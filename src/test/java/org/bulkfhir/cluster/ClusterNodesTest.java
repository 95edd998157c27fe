package org.bulkfhir.cluster;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Liveness and the cluster lock on a shared database, with production settings (heartbeat every
 * 2 s, node timeout 10 s): a node that keeps beating stays alive however rarely it is looked at, a
 * node that stops is dead after the timeout, not before, and a node that finds itself taken for
 * dead joins again under a new id.
 */
class ClusterNodesTest {

	private static final Duration HEARTBEAT = Duration.ofSeconds(2);
	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final DriverManagerDataSource dataSource = new DriverManagerDataSource(
			"jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
	private final JdbcTemplate jdbc = migrated(new JdbcTemplate(dataSource));

	private static JdbcTemplate migrated(JdbcTemplate jdbc) {
		new org.bulkfhir.schema.BulkFhirSchema(jdbc.getDataSource());
		return jdbc;
	}

	@Test
	void aNodeIsDeadOnlyOnceItsHeartbeatHasStoodStillForTheTimeout() throws Exception {
		ClusterNodes a = new ClusterNodes(jdbc, HEARTBEAT, TIMEOUT);
		ClusterNodes b = new ClusterNodes(jdbc, HEARTBEAT, TIMEOUT);
		a.start();
		b.start();
		try {
			assertThat(b.liveness().live()).contains(a.nodeId(), b.nodeId());
			Thread.sleep(TIMEOUT.toMillis() + 2000); // b does not look meanwhile
			assertThat(b.liveness().live()).as("a beats on").contains(a.nodeId());

			a.stop();
			long stopped = System.nanoTime();
			while (!b.liveness().dead().containsKey(a.nodeId())) {
				assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(TIMEOUT.plusSeconds(10));
				Thread.sleep(200);
			}
			Duration found = Duration.ofNanos(System.nanoTime() - stopped);
			assertThat(found).as("not taken for dead before the timeout").isGreaterThanOrEqualTo(TIMEOUT.minus(HEARTBEAT));
			assertThat(b.liveness().live()).contains(b.nodeId()).doesNotContain(a.nodeId());

			String old = a.nodeId();
			b.forget(old);
			a.beat(); // a comes back and finds itself forgotten
			assertThat(a.nodeId()).isNotEqualTo(old);
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BF_NODE WHERE NODE_ID = ?", Integer.class, a.nodeId()))
					.isEqualTo(1);
		} finally {
			a.stop();
			b.stop();
		}
	}

	@Test
	void theLockIsHeldByOneNodeAtATimeAndNobodyWaits() throws Exception {
		ClusterLock first = new ClusterLock(dataSource, jdbc);
		ClusterLock second = new ClusterLock(dataSource, jdbc);
		CountDownLatch holding = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean firstRan = new AtomicBoolean();
		Thread holder = new Thread(() -> firstRan.set(first.runExclusively("test", () -> {
			holding.countDown();
			try {
				release.await(30, TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		})));
		holder.start();
		assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

		long start = System.nanoTime();
		AtomicBoolean secondRan = new AtomicBoolean();
		assertThat(second.runExclusively("test", () -> secondRan.set(true))).isFalse();
		assertThat(secondRan).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("skipped, not waited").isLessThan(Duration.ofSeconds(2));
		assertThat(second.runExclusively("another lock", () -> secondRan.set(true))).isTrue();

		release.countDown();
		holder.join();
		assertThat(firstRan).isTrue();
		secondRan.set(false);
		assertThat(second.runExclusively("test", () -> secondRan.set(true))).isTrue();
		assertThat(secondRan).isTrue();
	}
}
