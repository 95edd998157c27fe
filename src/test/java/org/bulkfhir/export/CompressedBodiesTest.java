package org.bulkfhir.export;

import ca.uhn.fhir.jpa.dao.GZipUtil;
import ca.uhn.fhir.jpa.dao.data.IResourceHistoryTableDao;
import ca.uhn.fhir.jpa.model.dao.JpaPidFk;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.ServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resource bodies HAPI keeps compressed ({@code RES_ENCODING = JSONC}, bytes in {@code RES_TEXT}
 * instead of text in {@code RES_TEXT_VC}: what HAPI writes on Oracle and what HAPI before 7.0 left
 * behind) are exported like any other: the reader hands them to HAPI, which decodes them.
 */
class CompressedBodiesTest extends ServerTestBase {

	@Autowired
	IResourceHistoryTableDao history;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Autowired
	DataSource dataSource;

	@Test
	void compressedBodiesAreExported() throws Exception {
		Patient patient = new Patient();
		patient.setId("jsonc-p1");
		patient.addName().setFamily("Compressed").addGiven("Body");
		client.put(patient);
		Observation observation = new Observation();
		observation.setId("jsonc-o1");
		observation.setStatus(Observation.ObservationStatus.FINAL);
		observation.getCode().setText("stored compressed");
		observation.setSubject(new Reference("Patient/jsonc-p1"));
		client.put(observation);
		Group group = new Group();
		group.setId("jsonc");
		group.setType(Group.GroupType.PERSON).setActual(true);
		group.addMember().setEntity(new Reference("Patient/jsonc-p1"));
		client.put(group);

		compress("Patient", "jsonc-p1");
		compress("Observation", "jsonc-o1");

		JsonNode manifest = client.export("Group/jsonc/$export?_type=Patient,Observation");
		assertThat(manifest.get("error")).isEmpty();
		Map<String, List<IBaseResource>> exported = client.downloadAll(manifest);
		Patient exportedPatient = (Patient) exported.get("Patient").get(0);
		assertThat(exported.get("Patient")).hasSize(1);
		assertThat(exportedPatient.getIdElement().getIdPart()).isEqualTo("jsonc-p1");
		assertThat(exportedPatient.getNameFirstRep().getFamily()).isEqualTo("Compressed");
		assertThat(exportedPatient.getMeta().getVersionId()).isEqualTo("1");
		Observation exportedObservation = (Observation) exported.get("Observation").get(0);
		assertThat(exported.get("Observation")).hasSize(1);
		assertThat(exportedObservation.getCode().getText()).isEqualTo("stored compressed");

		// The server's data is shared with the export tests, which count every resource.
		for (String resource : List.of("Group/jsonc", "Observation/jsonc-o1", "Patient/jsonc-p1")) {
			assertThat(client.send(client.request(resource).DELETE().build()).statusCode()).as(resource).isEqualTo(200);
		}
	}

	/** Moves the current version's body to HAPI's compressed form, with HAPI's own repository method. */
	private void compress(String type, String id) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Map<String, Object> row = jdbc.queryForMap(
				"SELECT RES_ID, RES_VER FROM HFJ_RESOURCE WHERE RES_TYPE = ? AND FHIR_ID = ?", type, id);
		long pid = ((Number) row.get("RES_ID")).longValue();
		long version = ((Number) row.get("RES_VER")).longValue();
		new TransactionTemplate(transactionManager).executeWithoutResult(tx -> {
			ResourceHistoryTable current = history.findForIdAndVersion(JpaPidFk.fromId(pid), version);
			history.updateNonInlinedContents(GZipUtil.compress(current.getResourceTextVc()), current.getId());
		});
		Map<String, Object> stored = jdbc.queryForMap(
				"SELECT RES_ENCODING, RES_TEXT_VC FROM HFJ_RES_VER WHERE RES_ID = ? AND RES_VER = ?", pid, version);
		assertThat(stored.get("RES_ENCODING")).isEqualTo("JSONC");
		assertThat(stored.get("RES_TEXT_VC")).isNull();
	}
}
