package org.bulkfhir.read;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

import java.sql.DatabaseMetaData;

/** Which database HAPI's tables live in, for the few queries that H2 needs written differently. */
public final class DatabaseProduct {

	private DatabaseProduct() {}

	public static boolean isH2(NamedParameterJdbcTemplate jdbc) {
		return "H2".equals(name(jdbc));
	}

	public static boolean isPostgres(NamedParameterJdbcTemplate jdbc) {
		return "PostgreSQL".equals(name(jdbc));
	}

	private static String name(NamedParameterJdbcTemplate jdbc) {
		try {
			return JdbcUtils.extractDatabaseMetaData(
					jdbc.getJdbcTemplate().getDataSource(), DatabaseMetaData::getDatabaseProductName);
		} catch (MetaDataAccessException e) {
			return "";
		}
	}
}
