package org.bulkfhir.schema;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.taskdef.BaseTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

import javax.sql.DataSource;
import java.sql.DatabaseMetaData;
import java.util.List;

/**
 * Brings the plugin's own tables to the current version of {@link BulkFhirMigrations} with HAPI's
 * migration runner, before any bean uses them (the plugin's JDBC template depends on this bean).
 * The history of applied versions is kept in {@link #HISTORY_TABLE}, apart from HAPI's own
 * ({@code FLY_HFJ_MIGRATION}); nodes starting together take turns through that table's lock row.
 */
public final class BulkFhirSchema {

	public static final String HISTORY_TABLE = "BF_MIGRATION";

	private static final Logger LOG = LoggerFactory.getLogger(BulkFhirSchema.class);

	private final MigrationResult result;

	public BulkFhirSchema(DataSource dataSource) {
		this(dataSource, BulkFhirMigrations.all());
	}

	BulkFhirSchema(DataSource dataSource, List<BaseTask> tasks) {
		HapiMigrator migrator = new HapiMigrator(HISTORY_TABLE, dataSource, driverType(dataSource));
		// addTask, not addTasks: HAPI's unit-test mode would silently drop raw SQL tasks there
		tasks.forEach(migrator::addTask);
		migrator.createMigrationTableIfRequired();
		result = migrator.migrate();
		if (!result.succeededTasks.isEmpty()) {
			LOG.info("bulkfhir schema: applied {} migration(s) up to {}", result.succeededTasks.size(),
					result.succeededTasks.get(result.succeededTasks.size() - 1).getMigrationVersion());
		}
	}

	/** The migrations this start applied (empty when the database was already current). */
	public MigrationResult result() {
		return result;
	}

	static DriverTypeEnum driverType(DataSource dataSource) {
		String product;
		try {
			product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
		} catch (MetaDataAccessException e) {
			throw new IllegalStateException("bulkfhir: cannot read which database the datasource is", e);
		}
		return switch (product) {
			case "H2" -> DriverTypeEnum.H2_EMBEDDED;
			case "PostgreSQL" -> DriverTypeEnum.POSTGRES_9_4;
			default -> throw new IllegalStateException(
					"bulkfhir supports H2 and PostgreSQL; the datasource is " + product);
		};
	}
}
