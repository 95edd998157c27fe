package org.bulkfhir.schema;

import ca.uhn.fhir.jpa.migrate.JdbcUtils;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.lang3.builder.EqualsBuilder;
import org.apache.commons.lang3.builder.HashCodeBuilder;
import org.bulkfhir.export.ExportAdmission;
import org.bulkfhir.export.ExportJobService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives every existing export job its row of {@code BF_EXPORT_OWNER} with the Group filled in
 * (jobs started before that table existed have none, and rows made before {@code GROUP_ID} existed
 * have no Group), from the job's parameters in HAPI's {@code BT2_JOB_INSTANCE}, so that the admin
 * job list can filter every job in SQL. Nothing to do on a database without batch2's tables yet.
 */
class ExportOwnerBackfill extends BaseTask {

	private static final Logger LOG = LoggerFactory.getLogger(ExportOwnerBackfill.class);

	ExportOwnerBackfill(String productVersion, String schemaVersion) {
		super(productVersion, schemaVersion);
		setDescription("BF_EXPORT_OWNER rows and GROUP_ID of existing export jobs");
	}

	@Override
	public void validate() {
		// nothing to check
	}

	@Override
	protected void doExecute() throws SQLException {
		Set<String> tables = JdbcUtils.getTableNames(getConnectionProperties());
		if (!tables.contains("BT2_JOB_INSTANCE")) {
			return;
		}
		Set<String> columns = JdbcUtils.getColumnNames(getConnectionProperties(), "BT2_JOB_INSTANCE");
		String params = columns.contains("PARAMS_JSON_VC") ? "COALESCE(i.PARAMS_JSON_VC, i.PARAMS_JSON)" : "i.PARAMS_JSON";
		ObjectMapper json = new ObjectMapper();
		int[] filled = {0};
		getTxTemplate().executeWithoutResult(tx -> {
			JdbcTemplate jdbc = newJdbcTemplate();
			List<Map<String, Object>> rows = jdbc.queryForList("SELECT i.ID, i.CREATE_TIME, " + params
					+ " AS PARAMS, o.JOB_ID AS OWNED FROM BT2_JOB_INSTANCE i LEFT JOIN BF_EXPORT_OWNER o ON o.JOB_ID = i.ID"
					+ " WHERE i.DEFINITION_ID = ? AND (o.JOB_ID IS NULL OR o.GROUP_ID IS NULL)",
					ExportJobService.JOB_DEFINITION_ID);
			for (Map<String, Object> row : rows) {
				JsonNode parameters;
				try {
					parameters = json.readTree(String.valueOf(row.get("PARAMS")));
				} catch (Exception unreadable) {
					LOG.warn("Parameters of export job {} unreadable; left out of the admin filters: {}", row.get("ID"),
							unreadable.toString());
					continue;
				}
				String groupKey = ExportAdmission.groupKey(text(parameters, "groupId"));
				if (row.get("OWNED") == null) {
					jdbc.update("INSERT INTO BF_EXPORT_OWNER (JOB_ID, CLIENT_KEY, CREATED, GROUP_ID) VALUES (?, ?, ?, ?)",
							row.get("ID"), ExportAdmission.clientKey(text(parameters, "clientId")), row.get("CREATE_TIME"),
							groupKey);
					filled[0]++;
				} else if (groupKey != null) {
					jdbc.update("UPDATE BF_EXPORT_OWNER SET GROUP_ID = ? WHERE JOB_ID = ?", groupKey, row.get("ID"));
					filled[0]++;
				}
			}
		});
		if (filled[0] > 0) {
			logInfo(LOG, "recorded owner and Group of {} existing export job(s)", filled[0]);
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value == null || value.isNull() ? null : value.asText();
	}

	@Override
	protected void generateHashCode(HashCodeBuilder builder) {
		builder.append(getSchemaVersion());
	}

	@Override
	protected void generateEquals(EqualsBuilder builder, BaseTask other) {
		builder.append(getSchemaVersion(), other.getSchemaVersion());
	}
}
