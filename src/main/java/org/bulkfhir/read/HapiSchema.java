package org.bulkfhir.read;

import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every table and column of HAPI's schema that the plugin reads with its own SQL. This is the one
 * list: a query that reads another HAPI table or column adds it here, and {@link HapiCompatibility}
 * checks them all at start-up, so that a HAPI upgrade that renames or drops one stops the export
 * endpoints with a clear message instead of exporting wrong or nothing.
 */
public final class HapiSchema {

	/** Table → columns read (upper case, as HAPI names them). */
	public static final Map<String, List<String>> READ = tables();

	private HapiSchema() {}

	private static Map<String, List<String>> tables() {
		Map<String, List<String>> tables = new LinkedHashMap<>();
		// ExportQueries, StoredResourceReader
		tables.put("HFJ_RESOURCE",
				List.of("RES_ID", "RES_TYPE", "FHIR_ID", "RES_VER", "HAS_TAGS", "RES_UPDATED", "RES_DELETED_AT"));
		// StoredResourceReader (RES_DELETED_AT: whether the version at the transaction time was a deletion), ExportQueries
		tables.put("HFJ_RES_VER", List.of(
				"PID", "RES_ID", "RES_VER", "HAS_TAGS", "RES_UPDATED", "RES_DELETED_AT", "RES_ENCODING", "RES_TEXT_VC",
				"SOURCE_URI", "REQUEST_ID"));
		// StoredResourceReader (tags of a batch: VERSIONED by version, NON_VERSIONED by resource), TagDefinitions
		tables.put("HFJ_HISTORY_TAG", List.of("RES_VER_PID", "TAG_ID"));
		tables.put("HFJ_RES_TAG", List.of("RES_ID", "TAG_ID"));
		tables.put("HFJ_TAG_DEF", List.of(
				"TAG_ID", "TAG_TYPE", "TAG_SYSTEM", "TAG_CODE", "TAG_DISPLAY", "TAG_VERSION", "TAG_USER_SELECTED"));
		// ExportQueries (compartments, references, Provenance targets)
		tables.put("HFJ_RES_LINK", List.of("SRC_RESOURCE_ID", "SRC_PATH", "TARGET_RESOURCE_ID", "TARGET_RESOURCE_TYPE"));
		// jobstore.ExportJobStore: purge, admission, admin job list, job gauges (reads only; batch2 is changed through HAPI's API)
		tables.put("BT2_JOB_INSTANCE",
				List.of("ID", "DEFINITION_ID", "STAT", "JOB_CANCELLED", "CREATE_TIME", "END_TIME", "UPDATE_TIME", "REPORT_VC"));
		return java.util.Collections.unmodifiableMap(tables);
	}

	/** What is missing of {@link #READ} in the database behind {@code jdbc}; empty when all is there. */
	public static List<String> missing(JdbcTemplate jdbc) {
		return missing(jdbc, READ);
	}

	static List<String> missing(JdbcTemplate jdbc, Map<String, List<String>> required) {
		List<String> missing = new ArrayList<>();
		for (Map.Entry<String, List<String>> table : required.entrySet()) {
			String name = table.getKey();
			// The same name resolution as the plugin's queries: if this compiles, they find their columns.
			if (compiles(jdbc, "SELECT " + String.join(", ", table.getValue()) + " FROM " + name + " WHERE 1 = 0")) {
				continue;
			}
			if (!compiles(jdbc, "SELECT 1 FROM " + name + " WHERE 1 = 0")) {
				missing.add("table " + name);
				continue;
			}
			for (String column : table.getValue()) {
				if (!compiles(jdbc, "SELECT " + column + " FROM " + name + " WHERE 1 = 0")) {
					missing.add("column " + name + "." + column);
				}
			}
		}
		return missing;
	}

	private static boolean compiles(JdbcTemplate jdbc, String sql) {
		try {
			jdbc.queryForList(sql);
			return true;
		} catch (org.springframework.jdbc.BadSqlGrammarException e) {
			// unknown table or column (SQL state class 42); anything else is not an answer and is thrown
			return false;
		}
	}
}
