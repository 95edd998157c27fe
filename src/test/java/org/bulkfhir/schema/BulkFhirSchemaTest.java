package org.bulkfhir.schema;

import org.bulkfhir.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plugin's tables come from versioned migrations: a new database gets all of them, a database
 * that the releases before migrations created (tables made by {@code CREATE ... IF NOT EXISTS} in
 * bean constructors) is taken over without error and keeps its rows, and a second start applies
 * nothing. Runs on H2 and, with {@code -Dbulkfhir.test.db=postgres}, on PostgreSQL.
 */
class BulkFhirSchemaTest {

	static final List<String> TABLES = List.of("BF_AUDIT", "BF_SIGNING_KEY", "BF_TOKEN_KEY", "BF_CLIENT",
			"BF_USED_JTI", "BF_EXPORT_ADMISSION", "BF_EXPORT_OWNER", "BF_NODE", "BF_WORK_CLAIM", "BF_LOCK");

	/** The DDL the bean constructors ran before versioned migrations, verbatim. */
	static final List<String> OLD_DDL = List.of(
			"CREATE TABLE IF NOT EXISTS BF_AUDIT (ID VARCHAR(36) NOT NULL PRIMARY KEY,"
					+ " EVENT_TIME TIMESTAMP NOT NULL, ACTION VARCHAR(40) NOT NULL, ACTOR_TYPE VARCHAR(16),"
					+ " ACTOR VARCHAR(200), CLIENT_ID VARCHAR(200), ADDRESS VARCHAR(64), FORWARDED_FOR VARCHAR(300),"
					+ " JOB_ID VARCHAR(100), GROUP_ID VARCHAR(200), PATIENTS INTEGER, FILE_NAME VARCHAR(300),"
					+ " DETAIL VARCHAR(120000), STATUS INTEGER, OUTCOME VARCHAR(16) NOT NULL,"
					+ " REASON VARCHAR(1000))",
			"CREATE INDEX IF NOT EXISTS BF_AUDIT_AT ON BF_AUDIT (EVENT_TIME)",
			"CREATE INDEX IF NOT EXISTS BF_AUDIT_CLIENT ON BF_AUDIT (CLIENT_ID, EVENT_TIME)",
			"CREATE INDEX IF NOT EXISTS BF_AUDIT_JOB ON BF_AUDIT (JOB_ID)",
			"CREATE TABLE IF NOT EXISTS BF_SIGNING_KEY (KID VARCHAR(64) NOT NULL PRIMARY KEY,"
					+ " JWK VARCHAR(16000) NOT NULL, CREATED TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS BF_TOKEN_KEY (KID VARCHAR(128) NOT NULL PRIMARY KEY,"
					+ " JWK VARCHAR(16000) NOT NULL, SIGNS_UNTIL TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS BF_CLIENT (CLIENT_ID VARCHAR(128) NOT NULL PRIMARY KEY,"
					+ " NAME VARCHAR(256) NOT NULL, APP_TYPE VARCHAR(16) NOT NULL, JWKS VARCHAR(65535),"
					+ " JWKS_URI VARCHAR(2048), SCOPES VARCHAR(4000) NOT NULL, ENABLED BOOLEAN NOT NULL,"
					+ " CREATED TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS BF_USED_JTI (CLIENT_ID VARCHAR(128) NOT NULL,"
					+ " JTI VARCHAR(256) NOT NULL, EXPIRES TIMESTAMP NOT NULL, PRIMARY KEY (CLIENT_ID, JTI))",
			"CREATE TABLE IF NOT EXISTS BF_EXPORT_ADMISSION (CLIENT_KEY VARCHAR(200) NOT NULL PRIMARY KEY,"
					+ " LAST_KICKOFF TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS BF_EXPORT_OWNER (JOB_ID VARCHAR(100) NOT NULL PRIMARY KEY,"
					+ " CLIENT_KEY VARCHAR(200) NOT NULL, CREATED TIMESTAMP NOT NULL)",
			"CREATE INDEX IF NOT EXISTS BF_EXPORT_OWNER_CLIENT ON BF_EXPORT_OWNER (CLIENT_KEY)",
			"CREATE TABLE IF NOT EXISTS BF_NODE (NODE_ID VARCHAR(64) NOT NULL PRIMARY KEY,"
					+ " DESCRIPTION VARCHAR(255) NOT NULL, STARTED TIMESTAMP NOT NULL, BEAT BIGINT NOT NULL,"
					+ " BEAT_TIME TIMESTAMP NOT NULL)",
			"CREATE TABLE IF NOT EXISTS BF_WORK_CLAIM (KIND VARCHAR(16) NOT NULL,"
					+ " WORK_ID VARCHAR(100) NOT NULL, INSTANCE_ID VARCHAR(100) NOT NULL, NODE_ID VARCHAR(64) NOT NULL,"
					+ " CLAIMED TIMESTAMP NOT NULL, PRIMARY KEY (KIND, WORK_ID))",
			"CREATE TABLE IF NOT EXISTS BF_LOCK (NAME VARCHAR(64) NOT NULL PRIMARY KEY)");

	@Test
	void aNewDatabaseGetsEveryTableAndASecondStartAppliesNothing() {
		DataSource dataSource = TestDatabase.freshDataSource();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(exists(jdbc, "BF_AUDIT")).isFalse();

		BulkFhirSchema first = new BulkFhirSchema(dataSource);

		assertThat(first.result().succeededTasks).hasSize(BulkFhirMigrations.all().size());
		assertThat(TABLES).allSatisfy(table -> assertThat(exists(jdbc, table)).as(table).isTrue());
		assertThat(appliedVersions(jdbc)).isEqualTo(BulkFhirMigrations.all().size());
		assertThat(new BulkFhirSchema(dataSource).result().succeededTasks).isEmpty();
	}

	@Test
	void aDatabaseOfTheReleasesBeforeMigrationsIsTakenOverAndKeepsItsRows() {
		DataSource dataSource = TestDatabase.freshDataSource();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		OLD_DDL.forEach(jdbc::execute);
		Timestamp now = new Timestamp(System.currentTimeMillis());
		jdbc.update("INSERT INTO BF_CLIENT (CLIENT_ID, NAME, APP_TYPE, SCOPES, ENABLED, CREATED)"
				+ " VALUES ('old-app', 'Old app', 'SYSTEM', 'system/*.rs', TRUE, ?)", now);
		jdbc.update("INSERT INTO BF_AUDIT (ID, EVENT_TIME, ACTION, OUTCOME) VALUES ('a1', ?, 'kickoff', 'success')", now);
		jdbc.update("INSERT INTO BF_EXPORT_OWNER (JOB_ID, CLIENT_KEY, CREATED) VALUES ('job-1', 'old-app', ?)", now);
		jdbc.update("INSERT INTO BF_LOCK (NAME) VALUES ('purge')");

		BulkFhirSchema schema = new BulkFhirSchema(dataSource);

		assertThat(schema.result().failedTasks).isEmpty();
		assertThat(appliedVersions(jdbc)).isEqualTo(BulkFhirMigrations.all().size());
		assertThat(jdbc.queryForObject("SELECT NAME FROM BF_CLIENT WHERE CLIENT_ID = 'old-app'", String.class))
				.isEqualTo("Old app");
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BF_AUDIT", Integer.class)).isEqualTo(1);
		assertThat(jdbc.queryForObject("SELECT CLIENT_KEY FROM BF_EXPORT_OWNER WHERE JOB_ID = 'job-1'", String.class))
				.isEqualTo("old-app");
		assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM BF_LOCK", Integer.class)).isEqualTo(1);
	}

	/**
	 * Jobs of a database of earlier releases get their owner row with the Group (for the admin
	 * list's filters in SQL): one started before BF_EXPORT_OWNER existed, one with an owner row
	 * without GROUP_ID. BT2_JOB_INSTANCE is reduced to the columns the backfill reads.
	 */
	@Test
	void existingJobsGetTheirOwnerRowAndGroup() {
		DataSource dataSource = TestDatabase.freshDataSource();
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		OLD_DDL.forEach(jdbc::execute);
		jdbc.execute("CREATE TABLE BT2_JOB_INSTANCE (ID VARCHAR(100) NOT NULL PRIMARY KEY, DEFINITION_ID VARCHAR(100),"
				+ " CREATE_TIME TIMESTAMP, PARAMS_JSON VARCHAR(2000), PARAMS_JSON_VC VARCHAR(10000))");
		Timestamp created = Timestamp.valueOf("2026-11-01 10:00:00");
		jdbc.update("INSERT INTO BT2_JOB_INSTANCE VALUES ('before-owners', 'BULKFHIR_EXPORT', ?, NULL, ?)", created,
				"{\"level\":\"GROUP\",\"groupId\":\"Small\",\"clientId\":\"app-1\"}");
		jdbc.update("INSERT INTO BT2_JOB_INSTANCE VALUES ('owned', 'BULKFHIR_EXPORT', ?, ?, NULL)", created,
				"{\"level\":\"GROUP\",\"groupId\":\"large\",\"clientId\":\"app-2\"}");
		jdbc.update("INSERT INTO BT2_JOB_INSTANCE VALUES ('system', 'BULKFHIR_EXPORT', ?, NULL, ?)", created,
				"{\"level\":\"SYSTEM\",\"clientId\":\"app-1\"}");
		jdbc.update("INSERT INTO BT2_JOB_INSTANCE VALUES ('hapi', 'BULK_EXPORT', ?, NULL, '{}')", created);
		jdbc.update("INSERT INTO BF_EXPORT_OWNER (JOB_ID, CLIENT_KEY, CREATED) VALUES ('owned', 'c:app-2', ?)", created);

		new BulkFhirSchema(dataSource);

		assertThat(jdbc.queryForList("SELECT JOB_ID, CLIENT_KEY, GROUP_ID FROM BF_EXPORT_OWNER ORDER BY JOB_ID").stream()
						.map(row -> new java.util.TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER) {{ putAll(row); }})
						.map(row -> row.get("JOB_ID") + " " + row.get("CLIENT_KEY") + " " + row.get("GROUP_ID"))
						.toList())
				.containsExactly("before-owners c:app-1 small", "owned c:app-2 large", "system c:app-1 null");
	}

	static boolean exists(JdbcTemplate jdbc, String table) {
		try {
			jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
			return true;
		} catch (org.springframework.dao.DataAccessException e) {
			return false;
		}
	}

	/** Successful versions in the history table (HAPI also keeps a row for the table's creation). */
	static int appliedVersions(JdbcTemplate jdbc) {
		return (int) jdbc.queryForList("SELECT * FROM \"" + BulkFhirSchema.HISTORY_TABLE + "\"").stream()
				.map(row -> new java.util.TreeMap<String, Object>(String.CASE_INSENSITIVE_ORDER) {{ putAll(row); }})
				.filter(row -> Boolean.TRUE.equals(row.get("SUCCESS")) && ((Number) row.get("INSTALLED_RANK")).intValue() > 0)
				.count();
	}
}
