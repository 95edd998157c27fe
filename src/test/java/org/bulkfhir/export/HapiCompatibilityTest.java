package org.bulkfhir.export;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.binary.interceptor.BinaryStorageInterceptor;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings.TagStorageModeEnum;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.read.HapiCompatibility;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HAPI settings and schema the plugin cannot read switch the export endpoints off with a 503 that
 * says why, while the rest of the FHIR server goes on; put right, export is back.
 */
class HapiCompatibilityTest extends ServerTestBase {

	@Autowired
	HapiCompatibility compatibility;

	@Autowired
	PartitionSettings partitionSettings;

	@Autowired
	DataSource dataSource;

	@Test
	void aMissingColumnSwitchesExportOffWithA503AndTheServerKeepsRunning() throws Exception {
		assertThat(compatibility.check()).isEmpty();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		renameColumn(jdbc, "SRC_PATH", "SRC_PATH_RENAMED");
		try {
			List<String> problems = compatibility.check();
			assertThat(problems).singleElement().asString().contains("column HFJ_RES_LINK.SRC_PATH");

			HttpResponse<String> refused = client.kickOff("Group/small/$export");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(diagnostics(refused)).contains("column HFJ_RES_LINK.SRC_PATH")
					.contains("Bulk Data export is switched off");
			assertThat(client.send(client.request("$export-status?_jobId=any").GET().build()).statusCode())
					.isEqualTo(503);
			// Only an authorized caller learns why.
			assertThat(new BulkClient(base()).kickOff("Group/small/$export").statusCode()).isEqualTo(401);
			// The FHIR server itself goes on.
			assertThat(client.send(client.request("metadata").GET().build()).statusCode()).isEqualTo(200);
			assertThat(client.send(client.request("Group/small").GET().build()).statusCode()).isEqualTo(200);
		} finally {
			renameColumn(jdbc, "SRC_PATH_RENAMED", "SRC_PATH");
		}
		assertThat(compatibility.check()).isEmpty();
		assertThat(client.kickOff("Group/small/$export").statusCode()).isEqualTo(202);
	}

	@Test
	void partitioningSwitchesExportOffNamingTheSetting() throws Exception {
		partitionSettings.setPartitioningEnabled(true);
		try {
			assertThat(compatibility.check()).singleElement().asString()
					.contains("PartitionSettings.isPartitioningEnabled()");
			HttpResponse<String> refused = client.kickOff("$export?_type=Patient");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(diagnostics(refused)).contains("hapi.fhir.partitioning");
			assertThat(client.send(client.request("metadata").GET().build()).statusCode()).isEqualTo(200);
		} finally {
			partitionSettings.setPartitioningEnabled(false);
			compatibility.check();
		}
		assertThat(client.kickOff("$export?_type=Patient").statusCode()).isEqualTo(202);
	}

	@Test
	void settingsThatMoveDataElsewhereAreRefusedByName() {
		PartitionSettings partitions = new PartitionSettings();
		JpaStorageSettings defaults = new JpaStorageSettings();
		assertThat(HapiCompatibility.settingProblems(partitions, defaults, List.of())).isEmpty();

		JpaStorageSettings nonVersioned = new JpaStorageSettings();
		nonVersioned.setTagStorageMode(TagStorageModeEnum.NON_VERSIONED);
		assertThat(HapiCompatibility.settingProblems(partitions, nonVersioned, List.of())).isEmpty();

		JpaStorageSettings inline = new JpaStorageSettings();
		inline.setTagStorageMode(TagStorageModeEnum.INLINE);
		// Tags inside the stored text: the reader hands those resources to HAPI (TagStorageModeFidelityTest).
		assertThat(HapiCompatibility.settingProblems(partitions, inline, List.of())).isEmpty();

		JpaStorageSettings provenanceTable = new JpaStorageSettings();
		provenanceTable.setAccessMetaSourceInformationFromProvenanceTable(true);
		assertThat(HapiCompatibility.settingProblems(partitions, provenanceTable, List.of())).singleElement()
				.asString().contains("isAccessMetaSourceInformationFromProvenanceTable()");

		assertThat(HapiCompatibility.settingProblems(
						partitions, defaults, List.of(new BinaryStorageInterceptor<>(BulkClient.FHIR))))
				.singleElement().asString().contains("BinaryStorageInterceptor");
	}

	private static void renameColumn(JdbcTemplate jdbc, String from, String to) {
		jdbc.execute(TestDatabase.isPostgres()
				? "ALTER TABLE HFJ_RES_LINK RENAME COLUMN " + from + " TO " + to
				: "ALTER TABLE HFJ_RES_LINK ALTER COLUMN " + from + " RENAME TO " + to);
	}

	private static String diagnostics(HttpResponse<String> response) throws Exception {
		JsonNode outcome = BulkClient.JSON.readTree(response.body());
		assertThat(outcome.get("resourceType").asText()).isEqualTo("OperationOutcome");
		return outcome.get("issue").get(0).get("diagnostics").asText();
	}
}
