package org.bulkfhir.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;

import javax.sql.DataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The database a test server runs on: the WAR's default H2 file database, or, with
 * {@code -Dbulkfhir.test.db=postgres}, a real PostgreSQL started once per JVM (a fresh database
 * for every server).
 */
public final class TestDatabase {

	private static EmbeddedPostgres postgres;

	private TestDatabase() {}

	public static boolean isPostgres() {
		return "postgres".equalsIgnoreCase(System.getProperty("bulkfhir.test.db", "h2"));
	}

	/** Registers the data directory and, for PostgreSQL, the datasource of a new database. */
	public static void register(DynamicPropertyRegistry registry, Path dataDir) {
		registry.add("bulkfhir.data-dir", dataDir::toString);
		if (!isPostgres()) {
			return;
		}
		String database = "bf_" + UUID.randomUUID().toString().replace("-", "");
		EmbeddedPostgres server = server();
		try (Connection connection = server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + database);
		} catch (SQLException e) {
			throw new IllegalStateException(e);
		}
		registry.add("spring.datasource.url", () -> server.getJdbcUrl("postgres", database));
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.password", () -> "postgres");
		registry.add("spring.datasource.driver-class-name", () -> "org.postgresql.Driver");
		registry.add("spring.jpa.properties.hibernate.dialect",
				() -> "ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect");
	}

	/** A new empty database of the kind the run tests on (H2 in memory, or a new PostgreSQL database). */
	public static DataSource freshDataSource() {
		if (!isPostgres()) {
			return new DriverManagerDataSource("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
		}
		String database = "bf_" + UUID.randomUUID().toString().replace("-", "");
		EmbeddedPostgres server = server();
		try (Connection connection = server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + database);
		} catch (SQLException e) {
			throw new IllegalStateException(e);
		}
		return new DriverManagerDataSource(server.getJdbcUrl("postgres", database), "postgres", "postgres");
	}

	private static synchronized EmbeddedPostgres server() {
		if (postgres == null) {
			try {
				postgres = EmbeddedPostgres.builder().start();
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					postgres.close();
				} catch (IOException ignored) {
					// the JVM is going away
				}
			}));
		}
		return postgres;
	}
}
