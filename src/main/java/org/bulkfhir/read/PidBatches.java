package org.bulkfhir.read;

import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How a list of pids is put into a query, batch by batch, in the form each database reads fastest
 * (all measured on the export's queries):
 * <ul>
 *   <li>H2: the batch bound as one array and joined as a table ({@link #H2_TABLE}). H2 re-checks an
 *   IN-list against each of its elements for every row it reads ({@code ConditionIn.getValue} was a
 *   quarter of the reader's time); joined, the array costs one index lookup per pid.</li>
 *   <li>PostgreSQL: the batch bound as one array literal, {@code column = ANY(:pids)} (cast behind a
 *   sub-select, {@link #PG_ARRAY}): one statement text whatever the batch size, and one index scan: the
 *   links of 5,000 resources in 18 ms, where ten IN-lists of 500 took 66 ms.</li>
 *   <li>Other databases: IN-lists of {@link StoredResourceReader#IN_LIST_LIMIT}.</li>
 * </ul>
 */
public final class PidBatches {

	/** The batch as a table {@code s(PID)} on H2, for the parameter {@code :pids} bound with {@link #bind}. */
	public static final String H2_TABLE = "UNNEST(CAST(:pids AS BIGINT ARRAY)) s(PID)";

	public enum Form { H2_JOIN, ANY_ARRAY, IN_LIST }

	/**
	 * The batch on PostgreSQL, behind a scalar sub-select: the planner cannot see its elements, so every
	 * execution gets the plan PostgreSQL's generic plan is (one index scan for the array). Bound as a plain
	 * {@code = ANY(:pids)}, each of the first executions of a statement on a connection (the driver's
	 * unnamed statements, then PostgreSQL's first five custom plans) is planned for its 2,000–5,000 values:
	 * up to 18 ms of planning each (in psql), and for the reader a parallel sequential scan of {@code HFJ_RESOURCE}
	 * (two processes, 33 ms for 2,000 Observations instead of 14–19 ms). A benchmark's first exports after
	 * start-up ran on such plans.
	 */
	static final String PG_ARRAY = "CAST((SELECT :pids) AS BIGINT[])";

	private final Form form;
	private final int arrayBatch;

	/** {@code arrayBatch}: pids per query when bound as an array (IN-lists always hold at most 500). */
	public PidBatches(NamedParameterJdbcTemplate jdbc, int arrayBatch) {
		this.form = DatabaseProduct.isH2(jdbc)
				? Form.H2_JOIN
				: DatabaseProduct.isPostgres(jdbc) ? Form.ANY_ARRAY : Form.IN_LIST;
		this.arrayBatch = arrayBatch;
	}

	public Form form() {
		return form;
	}

	public List<List<Long>> batches(List<Long> pids) {
		return StoredResourceReader.batches(pids, form == Form.IN_LIST ? StoredResourceReader.IN_LIST_LIMIT : arrayBatch);
	}

	/** The value for {@code :pids}. */
	public Object bind(List<Long> batch) {
		return switch (form) {
			case IN_LIST -> batch;
			case H2_JOIN -> array(batch);
			case ANY_ARRAY -> arrayLiteral(batch);
		};
	}

	/** "{@code column} is one of the batch", for the ANY_ARRAY and IN_LIST forms. */
	public String in(String column) {
		if (form == Form.H2_JOIN) {
			throw new IllegalStateException("H2 joins the batch as " + H2_TABLE);
		}
		return form == Form.ANY_ARRAY ? column + " = ANY(" + PG_ARRAY + ")" : column + " IN (:pids)";
	}

	/**
	 * PostgreSQL's array literal, {@code {1,2,3}}, which {@link #PG_ARRAY} casts: the driver would
	 * format the boxed values of a {@code createArrayOf} one by one (3 % of the reader's time).
	 */
	private static String arrayLiteral(List<Long> pids) {
		StringBuilder literal = new StringBuilder(pids.size() * 8 + 2).append('{');
		for (int i = 0; i < pids.size(); i++) {
			if (i > 0) {
				literal.append(',');
			}
			literal.append(pids.get(i).longValue());
		}
		return literal.append('}').toString();
	}

	private static SqlTypeValue array(List<Long> pids) {
		return new AbstractSqlTypeValue() {
			@Override
			protected Object createTypeValue(Connection connection, int sqlType, String typeName) throws SQLException {
				return connection.createArrayOf("BIGINT", pids.toArray());
			}
		};
	}
}
