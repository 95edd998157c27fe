package org.bulkfhir.schema;

import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import ca.uhn.fhir.jpa.migrate.taskdef.ExecuteRawSqlTask;

import java.util.ArrayList;
import java.util.List;

/**
 * The versioned history of the plugin's own tables (all named {@code BF_*}), run by
 * {@link BulkFhirSchema} at start-up. A change to a table is a new task with the next version at
 * the end of this list; a released task is never edited (a database records which versions it has).
 *
 * <p>The first versions are the tables that earlier releases created in bean constructors with
 * {@code CREATE ... IF NOT EXISTS}. They keep exactly that DDL, so they are no-ops on a database
 * those releases created and its rows stay.
 */
public final class BulkFhirMigrations {

	/** The product part of every version; the schema part is {@code yyyyMMdd.n}. */
	static final String PRODUCT = "1";

	private BulkFhirMigrations() {}

	public static List<BaseTask> all() {
		List<BaseTask> tasks = new ArrayList<>();
		// 1: the tables of the releases before versioned migrations (idempotent on their databases)
		tasks.add(sql("20261130.1", "BF_AUDIT",
				"CREATE TABLE IF NOT EXISTS BF_AUDIT (ID VARCHAR(36) NOT NULL PRIMARY KEY,"
						+ " EVENT_TIME TIMESTAMP NOT NULL, ACTION VARCHAR(40) NOT NULL, ACTOR_TYPE VARCHAR(16),"
						+ " ACTOR VARCHAR(200), CLIENT_ID VARCHAR(200), ADDRESS VARCHAR(64), FORWARDED_FOR VARCHAR(300),"
						+ " JOB_ID VARCHAR(100), GROUP_ID VARCHAR(200), PATIENTS INTEGER, FILE_NAME VARCHAR(300),"
						+ " DETAIL VARCHAR(120000), STATUS INTEGER, OUTCOME VARCHAR(16) NOT NULL,"
						+ " REASON VARCHAR(1000))",
				"CREATE INDEX IF NOT EXISTS BF_AUDIT_AT ON BF_AUDIT (EVENT_TIME)",
				"CREATE INDEX IF NOT EXISTS BF_AUDIT_CLIENT ON BF_AUDIT (CLIENT_ID, EVENT_TIME)",
				"CREATE INDEX IF NOT EXISTS BF_AUDIT_JOB ON BF_AUDIT (JOB_ID)"));
		tasks.add(sql("20261130.2", "BF_SIGNING_KEY and BF_TOKEN_KEY",
				"CREATE TABLE IF NOT EXISTS BF_SIGNING_KEY (KID VARCHAR(64) NOT NULL PRIMARY KEY,"
						+ " JWK VARCHAR(16000) NOT NULL, CREATED TIMESTAMP NOT NULL)",
				"CREATE TABLE IF NOT EXISTS BF_TOKEN_KEY (KID VARCHAR(128) NOT NULL PRIMARY KEY,"
						+ " JWK VARCHAR(16000) NOT NULL, SIGNS_UNTIL TIMESTAMP NOT NULL)"));
		tasks.add(sql("20261130.3", "BF_CLIENT",
				"CREATE TABLE IF NOT EXISTS BF_CLIENT (CLIENT_ID VARCHAR(128) NOT NULL PRIMARY KEY,"
						+ " NAME VARCHAR(256) NOT NULL, APP_TYPE VARCHAR(16) NOT NULL, JWKS VARCHAR(65535),"
						+ " JWKS_URI VARCHAR(2048), SCOPES VARCHAR(4000) NOT NULL, ENABLED BOOLEAN NOT NULL,"
						+ " CREATED TIMESTAMP NOT NULL)"));
		tasks.add(sql("20261130.4", "BF_USED_JTI",
				"CREATE TABLE IF NOT EXISTS BF_USED_JTI (CLIENT_ID VARCHAR(128) NOT NULL,"
						+ " JTI VARCHAR(256) NOT NULL, EXPIRES TIMESTAMP NOT NULL, PRIMARY KEY (CLIENT_ID, JTI))"));
		tasks.add(sql("20261130.5", "BF_EXPORT_ADMISSION and BF_EXPORT_OWNER",
				"CREATE TABLE IF NOT EXISTS BF_EXPORT_ADMISSION (CLIENT_KEY VARCHAR(200) NOT NULL PRIMARY KEY,"
						+ " LAST_KICKOFF TIMESTAMP NOT NULL)",
				"CREATE TABLE IF NOT EXISTS BF_EXPORT_OWNER (JOB_ID VARCHAR(100) NOT NULL PRIMARY KEY,"
						+ " CLIENT_KEY VARCHAR(200) NOT NULL, CREATED TIMESTAMP NOT NULL)",
				"CREATE INDEX IF NOT EXISTS BF_EXPORT_OWNER_CLIENT ON BF_EXPORT_OWNER (CLIENT_KEY)"));
		tasks.add(sql("20261130.6", "BF_NODE",
				"CREATE TABLE IF NOT EXISTS BF_NODE (NODE_ID VARCHAR(64) NOT NULL PRIMARY KEY,"
						+ " DESCRIPTION VARCHAR(255) NOT NULL, STARTED TIMESTAMP NOT NULL, BEAT BIGINT NOT NULL,"
						+ " BEAT_TIME TIMESTAMP NOT NULL)"));
		tasks.add(sql("20261130.7", "BF_WORK_CLAIM",
				"CREATE TABLE IF NOT EXISTS BF_WORK_CLAIM (KIND VARCHAR(16) NOT NULL,"
						+ " WORK_ID VARCHAR(100) NOT NULL, INSTANCE_ID VARCHAR(100) NOT NULL, NODE_ID VARCHAR(64) NOT NULL,"
						+ " CLAIMED TIMESTAMP NOT NULL, PRIMARY KEY (KIND, WORK_ID))"));
		tasks.add(sql("20261130.8", "BF_LOCK",
				"CREATE TABLE IF NOT EXISTS BF_LOCK (NAME VARCHAR(64) NOT NULL PRIMARY KEY)"));
		// 2: the admin job list filters and pages in SQL; the owner row also holds the Group (lower case)
		tasks.add(sql("20261130.9", "BF_EXPORT_OWNER.GROUP_ID",
				"ALTER TABLE BF_EXPORT_OWNER ADD COLUMN IF NOT EXISTS GROUP_ID VARCHAR(200)",
				"CREATE INDEX IF NOT EXISTS BF_EXPORT_OWNER_GROUP ON BF_EXPORT_OWNER (GROUP_ID)"));
		tasks.add(new ExportOwnerBackfill(PRODUCT, "20261130.10"));
		return tasks;
	}

	private static BaseTask sql(String version, String what, String... statements) {
		ExecuteRawSqlTask task = new ExecuteRawSqlTask(PRODUCT, version);
		task.setDescription(what);
		for (String statement : statements) {
			task.addSql(statement);
		}
		return task;
	}
}
