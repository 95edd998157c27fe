package org.bulkfhir.export;

import ca.uhn.fhir.batch2.api.IJobPersistence;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.storage.ExportFileStore;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A completed export keeps the expiry it was published with: the instant is stored with the job's
 * report at completion, and beans built with another {@code bulkfhir.export.expiry} (as after a
 * configuration change and restart) read that instant through the real database instead of
 * recomputing it: the job and the purge. The HTTP answers give the same one.
 */
class StoredExpiryTest extends ServerTestBase {

	@Autowired
	private ExportJobService jobs;
	@Autowired
	private IJobPersistence persistence;
	@Autowired
	private NamedParameterJdbcTemplate bulkfhirJdbc;
	@Autowired
	private ExportFileStore store;
	@Autowired
	private TransactionTemplate bulkfhirTransactions;

	@Test
	void theExpiryStoredAtCompletionOutlivesAChangeOfTheSetting() throws Exception {
		String status = client.start("Group/small/$export?_type=Patient");
		HttpResponse<String> done = client.poll(status, Duration.ofSeconds(30));
		assertThat(done.statusCode()).isEqualTo(200);
		Instant published = Instant.parse(BulkClient.JSON.readTree(done.body()).get("extension").get("expires").asText());
		String id = status.substring(status.indexOf("_jobId=") + 7);

		ExportJob job = jobs.findAny(id).orElseThrow();
		ExportReport report = job.report();
		assertThat(report.getExpiresAt()).isEqualTo(report.getCompletedAt() + Duration.ofHours(24).toMillis());
		assertThat(Instant.ofEpochMilli(report.getExpiresAt())).isEqualTo(published);

		Duration shortened = Duration.ofMillis(1);
		Thread.sleep(5);
		assertThat(job.expiresAt(shortened)).isEqualTo(published);
		assertThat(job.isExpired(shortened)).isFalse();
		assertThat(job.expiresAt(Duration.ofDays(30))).isEqualTo(published);

		ExportPurge purge = new ExportPurge(persistence,
				new org.bulkfhir.jobstore.ExportJobStore(bulkfhirJdbc.getJdbcTemplate(), ExportJobService.JOB_DEFINITION_ID), store, bulkfhirTransactions,
				shortened, Duration.ofHours(1));
		purge.purge();
		assertThat(jobs.findAny(id)).as("the purge honours the stored expiry").isPresent();
		assertThat(store.jobIds()).contains(id);

		HttpResponse<String> again = client.send(client.request(status).GET().build());
		assertThat(again.statusCode()).isEqualTo(200);
		JsonNode detail = BulkClient.JSON.readTree(apps.admin("GET", "/jobs/" + id, null, 200));
		assertThat(Instant.parse(detail.get("expires").asText())).isEqualTo(published);
	}

	/** A report stored by a release before the stamp has none: its expiry follows the setting. */
	@Test
	void aReportWithoutAStoredExpiryFallsBackToTheSetting() {
		ExportReport old = new ExportReport();
		old.setCompletedAt(1_000_000L);
		assertThat(old.getExpiresAt()).isNull();
		assertThat(old.expiresAt(Duration.ofHours(1))).isEqualTo(Instant.ofEpochMilli(1_000_000L + 3_600_000L));
	}
}
