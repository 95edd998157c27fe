package org.bulkfhir.output;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

import java.sql.DatabaseMetaData;

/** Which database HAPI's tables live in, for the few queries that H2 needs written differently. */
public final class DatabaseProduct {

	private DatabaseProduct() {}

	public static boolean isH2(NamedParameterJdbcTemplate jdbc) {
		try {
			String product = JdbcUtils.extractDatabaseMetaData(
					jdbc.getJdbcTemplate().getDataSource(), DatabaseMetaData::getDatabaseProductName);
			return "H2".equals(product);
		} catch (MetaDataAccessException e) {
			return false;
		}
	}
}
