package org.bulkfhir.bench;

import ca.uhn.fhir.context.FhirContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Duration;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bulkfhir.server.sample.SampleData;

/**
 * Multiplies a sample population ({@code org.bulkfhir.server.sample.SampleData}, loaded through
 * HAPI) at SQL level, so that a benchmark can export a million realistic resources without loading
 * them through HAPI for hours. Run it while no server uses the database.
 *
 * <p>Every resource whose FHIR id names a sample patient ({@code ptNNNNN}: the patient, their
 * records and Provenance) is copied {@code copies} times with all of HAPI's rows for it: the
 * resource, its versions, tags, history tags, links and every search index table. Copy {@code k} of
 * patient {@code i} is patient {@code i + k × N} (N = the patients found), so the copies look like a
 * larger load: new internal ids (shifted past every id in use and past HAPI's sequences, which are
 * then advanced past the copies), new FHIR ids, and in the stored bodies every reference to a
 * per-patient resource rewritten to the copy (links to copied resources likewise). Shared resources
 * (Organizations, Practitioners, Locations, Medications and their Provenance) and the Groups are not
 * copied; the caller writes the Group it exports through HAPI. Only references are rewritten: other
 * text of the body (identifiers, narratives) stays as it was, so the copied search indexes match the
 * bodies.
 *
 * <p>A table this class does not know that holds rows of a copied resource stops it (a HAPI version
 * with another schema would otherwise get incomplete copies).
 */
public final class PopulationMultiplier {

	/** A per-patient resource's id: the patient's index is rewritten, the rest kept. */
	static final Pattern PATIENT_INDEX = Pattern.compile("pt(\\d{5})");

	private static final Pattern REFERENCE = Pattern.compile("\"reference\":\"([^\"]*)\"");

	/** A table with rows per resource: its primary key, its sequence and the columns to shift. */
	private record Table(String name, String pk, String sequence, String resourceColumn, Map<String, String> shifted) {}

	/** What was done. */
	public record Result(int basePatients, int copies, int baseResources, long resourcesAdded, long rowsAdded, long millis) {}

	private final Connection connection;
	private final boolean postgres;
	private long maxBasePid;

	private PopulationMultiplier(Connection connection) throws SQLException {
		this.connection = connection;
		String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
		this.postgres = product.contains("postgres");
		if (!postgres && !product.contains("h2")) {
			throw new IllegalArgumentException("H2 or PostgreSQL only, not " + product);
		}
	}

	/** Multiplies the population in the connection's database: {@code copies} copies of each patient. */
	public static Result multiply(Connection connection, int copies) throws SQLException {
		if (copies < 1) {
			throw new IllegalArgumentException("copies must be at least 1");
		}
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(false);
		try {
			return new PopulationMultiplier(connection).run(copies);
		} finally {
			connection.setAutoCommit(autoCommit);
		}
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 3 && args[0].equals("group")) {
			putGroup(args[1], Integer.parseInt(args[2]));
			return;
		}
		if (args.length < 4) {
			System.err.println("usage: PopulationMultiplier JDBC_URL USER PASSWORD COPIES | group FHIR_BASE PATIENTS");
			System.exit(2);
		}
		try (Connection connection = DriverManager.getConnection(args[0], args[1], args[2])) {
			Result result = multiply(connection, Integer.parseInt(args[3]));
			System.out.println("basePatients=" + result.basePatients());
			System.out.println("copies=" + result.copies());
			System.out.println("patients=" + result.basePatients() * (result.copies() + 1L));
			System.out.println("baseResources=" + result.baseResources());
			System.out.println("resourcesAdded=" + result.resourcesAdded());
			System.out.println("rowsAdded=" + result.rowsAdded());
			System.out.println("seconds=" + result.millis() / 1000.0);
		}
	}

	/**
	 * Writes Group {@code all} with patients 0 … N-1 through HAPI (a PUT to a server without
	 * authentication, as the benchmark runs it): HAPI checks that every member exists.
	 */
	static void putGroup(String fhirBase, int patients) throws IOException, InterruptedException {
		String body = FhirContext.forR4Cached().newJsonParser()
				.encodeResourceToString(SampleData.group("all", "All sample patients", 0, patients, null));
		HttpResponse<String> response = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create(fhirBase + "/Group/all"))
						.header("Content-Type", "application/fhir+json")
						.timeout(Duration.ofMinutes(30))
						.PUT(HttpRequest.BodyPublishers.ofString(body))
						.build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() / 100 != 2) {
			throw new IllegalStateException("PUT Group/all: " + response.statusCode() + " " + response.body());
		}
		System.out.println("groupMembers=" + patients);
	}

	/** The tables with rows per resource, other than HFJ_RESOURCE and HFJ_RES_VER (handled apart). */
	private static List<Table> indexTables() {
		List<Table> tables = new ArrayList<>();
		tables.add(new Table("HFJ_RES_TAG", "PID", "SEQ_RESTAG_ID", "RES_ID", Map.of()));
		tables.add(new Table("HFJ_HISTORY_TAG", "PID", "SEQ_HISTORYTAG_ID", "RES_ID", Map.of("RES_VER_PID", "HFJ_RES_VER")));
		tables.add(new Table("HFJ_RES_LINK", "PID", "SEQ_RESLINK_ID", "SRC_RESOURCE_ID", Map.of()));
		for (String type : new String[] {"STRING", "TOKEN", "DATE", "NUMBER", "QUANTITY", "QUANTITY_NRML", "URI", "COORDS"}) {
			tables.add(new Table("HFJ_SPIDX_" + type, "SP_ID", "SEQ_SPIDX_" + type, "RES_ID", Map.of()));
		}
		tables.add(new Table("HFJ_RES_PARAM_PRESENT", "PID", "SEQ_RESPARMPRESENT_ID", "RES_ID", Map.of()));
		return tables;
	}

	private Result run(int copies) throws SQLException {
		long started = System.currentTimeMillis();
		List<Table> tables = indexTables();
		Map<String, List<String>> columns = new LinkedHashMap<>();
		for (String table : allTableNames(tables)) {
			columns.put(table, columns(table));
		}
		// PIDs of the legacy HFJ_RES_PARAM_PRESENT are named RES_PARAM_PRESENT_ID in some schemas.
		tables = fixPrimaryKeys(tables, columns);

		int basePatients = createBaseTable();
		try {
			int baseResources = count("SELECT COUNT(*) FROM MULTIPLY_BASE");
			maxBasePid = maxOf("MULTIPLY_BASE", "RES_ID");
			checkNoUnknownRows(tables);
			if ((long) basePatients * (copies + 1) > 100_000) {
				throw new IllegalArgumentException("patient ids have five digits: at most 100,000 patients");
			}
			// Shifts: copy k's ids are the original's + k × span, each span past every id in use and
			// past what HAPI's sequence may already have handed out, so no copy meets any other id.
			Map<String, Long> span = new LinkedHashMap<>();
			span.put("HFJ_RESOURCE", spanOf("HFJ_RESOURCE", "RES_ID", "SEQ_RESOURCE_ID"));
			span.put("HFJ_RES_VER", spanOf("HFJ_RES_VER", "PID", "SEQ_RESOURCE_HISTORY_ID"));
			for (Table table : tables) {
				span.put(table.name(), spanOf(table.name(), table.pk(), table.sequence()));
			}
			List<Object[]> versions = baseVersions(columns.get("HFJ_RES_VER"));
			long rows = 0;
			for (int k = 1; k <= copies; k++) {
				rows += copyResources(columns.get("HFJ_RESOURCE"), k, span.get("HFJ_RESOURCE") * k, basePatients);
				rows += copyVersions(columns.get("HFJ_RES_VER"), versions, k, span, basePatients);
				for (Table table : tables) {
					rows += copyIndexRows(table, columns.get(table.name()), k, span);
				}
				connection.commit();
				System.err.printf("copy %d of %d done: %d rows so far, %d s%n", k, copies, rows,
						(System.currentTimeMillis() - started) / 1000);
			}
			advanceSequence("SEQ_RESOURCE_ID", "HFJ_RESOURCE", "RES_ID");
			advanceSequence("SEQ_RESOURCE_HISTORY_ID", "HFJ_RES_VER", "PID");
			for (Table table : tables) {
				advanceSequence(table.sequence(), table.name(), table.pk());
			}
			connection.commit();
			return new Result(basePatients, copies, baseResources, (long) baseResources * copies, rows,
					System.currentTimeMillis() - started);
		} finally {
			connection.rollback();
			try (Statement statement = connection.createStatement()) {
				statement.execute("DROP TABLE IF EXISTS MULTIPLY_BASE");
			}
			connection.commit();
		}
	}

	private static List<String> allTableNames(List<Table> tables) {
		List<String> names = new ArrayList<>(List.of("HFJ_RESOURCE", "HFJ_RES_VER"));
		tables.forEach(table -> names.add(table.name()));
		return names;
	}

	private static List<Table> fixPrimaryKeys(List<Table> tables, Map<String, List<String>> columns) {
		List<Table> fixed = new ArrayList<>();
		for (Table table : tables) {
			List<String> cols = columns.get(table.name());
			if (cols.contains(table.pk())) {
				fixed.add(table);
			} else if (table.name().equals("HFJ_RES_PARAM_PRESENT") && cols.contains("RES_PARAM_PRESENT_ID")) {
				fixed.add(new Table(table.name(), "RES_PARAM_PRESENT_ID", table.sequence(), table.resourceColumn(), table.shifted()));
			} else {
				throw new IllegalStateException(table.name() + " has no column " + table.pk() + ": " + cols);
			}
		}
		return fixed;
	}

	/** The table's columns in upper case, in their order. */
	private List<String> columns(String table) throws SQLException {
		List<String> names = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
			ResultSetMetaData meta = rows.getMetaData();
			for (int i = 1; i <= meta.getColumnCount(); i++) {
				names.add(meta.getColumnName(i).toUpperCase(Locale.ROOT));
			}
		}
		if (names.isEmpty()) {
			throw new IllegalStateException("no table " + table);
		}
		return names;
	}

	/**
	 * MULTIPLY_BASE: every per-patient resource, its id split around the patient's index. Returns the
	 * number of patients, which must be numbered 0 … N-1 as the sample loader numbers them.
	 */
	private int createBaseTable() throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("DROP TABLE IF EXISTS MULTIPLY_BASE");
			statement.execute("CREATE TABLE MULTIPLY_BASE (RES_ID BIGINT PRIMARY KEY, ID_PREFIX VARCHAR(100) NOT NULL, "
					+ "PT_INDEX INT NOT NULL, ID_SUFFIX VARCHAR(100) NOT NULL)");
		}
		TreeSet<Integer> patients = new TreeSet<>();
		try (Statement select = connection.createStatement();
				ResultSet rows = select.executeQuery("SELECT RES_ID, RES_TYPE, FHIR_ID FROM HFJ_RESOURCE");
				PreparedStatement insert = connection.prepareStatement("INSERT INTO MULTIPLY_BASE VALUES (?, ?, ?, ?)")) {
			int batch = 0;
			while (rows.next()) {
				String fhirId = rows.getString(3);
				Matcher index = fhirId == null ? null : PATIENT_INDEX.matcher(fhirId);
				if (index == null || !index.find()) {
					continue;
				}
				int patient = Integer.parseInt(index.group(1));
				if ("Patient".equals(rows.getString(2))) {
					patients.add(patient);
				}
				insert.setLong(1, rows.getLong(1));
				insert.setString(2, fhirId.substring(0, index.start()));
				insert.setInt(3, patient);
				insert.setString(4, fhirId.substring(index.end()));
				insert.addBatch();
				if (++batch % 1000 == 0) {
					insert.executeBatch();
				}
			}
			insert.executeBatch();
		}
		if (patients.isEmpty() || patients.first() != 0 || patients.last() != patients.size() - 1) {
			throw new IllegalStateException("expected sample patients pt00000 … ptN, found " + patients.size()
					+ (patients.isEmpty() ? "" : " from " + patients.first() + " to " + patients.last()));
		}
		return patients.size();
	}

	/** Any other table with a resource id column must hold no row of a copied resource. */
	private void checkNoUnknownRows(List<Table> tables) throws SQLException {
		List<String> known = allTableNames(tables);
		List<String[]> candidates = new ArrayList<>();
		try (ResultSet rows = connection.getMetaData().getColumns(null, null, "%", "%")) {
			while (rows.next()) {
				String table = rows.getString("TABLE_NAME").toUpperCase(Locale.ROOT);
				String column = rows.getString("COLUMN_NAME").toUpperCase(Locale.ROOT);
				String schema = String.valueOf(rows.getString("TABLE_SCHEM")).toUpperCase(Locale.ROOT);
				int type = rows.getInt("DATA_TYPE");
				// Resource ids are numbers (HFJ_RESOURCE_MODIFIED's RES_ID, e.g., is a text key).
				boolean numeric = type == Types.BIGINT || type == Types.INTEGER || type == Types.NUMERIC || type == Types.DECIMAL;
				if (numeric && table.startsWith("HFJ_") && !known.contains(table) && !schema.equals("INFORMATION_SCHEMA")
						&& List.of("RES_ID", "RES_PID", "RESOURCE_PID", "SRC_RESOURCE_ID", "TARGET_RESOURCE_ID").contains(column)) {
					candidates.add(new String[] {table, column});
				}
			}
		}
		for (String[] candidate : candidates) {
			int rows = count("SELECT COUNT(*) FROM " + candidate[0] + " WHERE " + candidate[1]
					+ " IN (SELECT RES_ID FROM MULTIPLY_BASE)");
			if (rows > 0) {
				throw new IllegalStateException(candidate[0] + "." + candidate[1] + " has " + rows
						+ " rows of resources to copy, and this multiplier does not know that table");
			}
		}
	}

	private int count(String sql) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private long maxOf(String table, String column) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(" + column + "), 0) FROM " + table)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private long nextValue(String sequence) throws SQLException {
		String sql = postgres ? "SELECT nextval('" + sequence.toLowerCase(Locale.ROOT) + "')" : "SELECT NEXT VALUE FOR " + sequence;
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	/** Past the largest id in the table and past the sequence (and a block HAPI may hold from it). */
	private long spanOf(String table, String pk, String sequence) throws SQLException {
		return Math.max(maxOf(table, pk), nextValue(sequence)) + 1_000;
	}

	/** Sets the sequence past every id now in the table (HAPI's pooled blocks start above it). */
	private void advanceSequence(String sequence, String table, String pk) throws SQLException {
		long next = Math.max(maxOf(table, pk), nextValue(sequence)) + 1_000;
		try (Statement statement = connection.createStatement()) {
			if (postgres) {
				statement.execute("SELECT setval('" + sequence.toLowerCase(Locale.ROOT) + "', " + next + ")");
			} else {
				statement.execute("ALTER SEQUENCE " + sequence + " RESTART WITH " + next);
			}
		}
	}

	private String newFhirId(long indexShift) {
		return "CONCAT(b.ID_PREFIX, 'pt', LPAD(CAST(b.PT_INDEX + " + indexShift + " AS VARCHAR(10)), 5, '0'), b.ID_SUFFIX)";
	}

	private long copyResources(List<String> cols, int k, long shift, int basePatients) throws SQLException {
		List<String> select = new ArrayList<>();
		for (String col : cols) {
			select.add(switch (col) {
				case "RES_ID" -> "t.RES_ID + " + shift;
				case "FHIR_ID" -> newFhirId((long) k * basePatients);
				default -> "t." + col;
			});
		}
		return execute("INSERT INTO HFJ_RESOURCE (" + String.join(", ", cols) + ") SELECT " + String.join(", ", select)
				+ " FROM HFJ_RESOURCE t JOIN MULTIPLY_BASE b ON b.RES_ID = t.RES_ID WHERE t.RES_ID <= " + maxBasePid);
	}

	private long copyIndexRows(Table table, List<String> cols, int k, Map<String, Long> span) throws SQLException {
		long resourceShift = span.get("HFJ_RESOURCE") * k;
		List<String> select = new ArrayList<>();
		for (String col : cols) {
			String expression;
			if (col.equals(table.pk())) {
				expression = "t." + col + " + " + span.get(table.name()) * k;
			} else if (col.equals(table.resourceColumn())) {
				expression = "t." + col + " + " + resourceShift;
			} else if (table.shifted().containsKey(col)) {
				expression = "t." + col + " + " + span.get(table.shifted().get(col)) * k;
			} else if (table.name().equals("HFJ_RES_LINK") && col.equals("TARGET_RESOURCE_ID")) {
				// A link to a per-patient resource points to the same copy; shared targets stay.
				expression = "CASE WHEN t.TARGET_RESOURCE_ID IN (SELECT RES_ID FROM MULTIPLY_BASE) THEN t.TARGET_RESOURCE_ID + "
						+ resourceShift + " ELSE t.TARGET_RESOURCE_ID END";
			} else if (col.contains("FHIR_ID")) {
				throw new IllegalStateException(table.name() + "." + col + " holds FHIR ids, which this multiplier does not rewrite");
			} else {
				expression = "t." + col;
			}
			select.add(expression);
		}
		return execute("INSERT INTO " + table.name() + " (" + String.join(", ", cols) + ") SELECT " + String.join(", ", select)
				// The bound lets the database read the originals by its index on the resource column
				// instead of scanning the copies made so far as well.
				+ " FROM " + table.name() + " t WHERE t." + table.resourceColumn() + " <= " + maxBasePid
				+ " AND t." + table.resourceColumn() + " IN (SELECT RES_ID FROM MULTIPLY_BASE)");
	}

	private long execute(String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			return statement.executeUpdate(sql);
		}
	}

	/** Every version of every per-patient resource, all columns (bodies as text or bytes). */
	private List<Object[]> baseVersions(List<String> cols) throws SQLException {
		List<Object[]> versions = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT " + String.join(", ", prefixed(cols))
						+ " FROM HFJ_RES_VER t WHERE t.RES_ID IN (SELECT RES_ID FROM MULTIPLY_BASE)")) {
			ResultSetMetaData meta = rows.getMetaData();
			while (rows.next()) {
				Object[] row = new Object[cols.size()];
				for (int i = 0; i < row.length; i++) {
					int type = meta.getColumnType(i + 1);
					if (type == Types.CLOB || type == Types.NCLOB || type == Types.LONGVARCHAR || type == Types.VARCHAR) {
						row[i] = rows.getString(i + 1);
					} else if (type == Types.BLOB || type == Types.LONGVARBINARY || type == Types.VARBINARY || type == Types.BINARY) {
						row[i] = rows.getBytes(i + 1);
					} else {
						row[i] = rows.getObject(i + 1);
					}
				}
				versions.add(row);
			}
		}
		return versions;
	}

	private static List<String> prefixed(List<String> cols) {
		return cols.stream().map(col -> "t." + col).toList();
	}

	private long copyVersions(List<String> cols, List<Object[]> versions, int k, Map<String, Long> span, int basePatients)
			throws SQLException {
		int pid = cols.indexOf("PID");
		int resId = cols.indexOf("RES_ID");
		int text = cols.indexOf("RES_TEXT_VC");
		int blob = cols.indexOf("RES_TEXT");
		int encoding = cols.indexOf("RES_ENCODING");
		if (pid < 0 || resId < 0 || text < 0 || blob < 0 || encoding < 0) {
			throw new IllegalStateException("HFJ_RES_VER lacks PID, RES_ID, RES_TEXT_VC, RES_TEXT or RES_ENCODING: " + cols);
		}
		for (String col : cols) {
			if (col.contains("FHIR_ID")) {
				throw new IllegalStateException("HFJ_RES_VER." + col + " holds FHIR ids, which this multiplier does not rewrite");
			}
		}
		long indexShift = (long) k * basePatients;
		String sql = "INSERT INTO HFJ_RES_VER (" + String.join(", ", cols) + ") VALUES ("
				+ String.join(", ", cols.stream().map(col -> "?").toList()) + ")";
		long inserted = 0;
		try (PreparedStatement insert = connection.prepareStatement(sql)) {
			for (Object[] version : versions) {
				Object[] row = version.clone();
				row[pid] = ((Number) row[pid]).longValue() + span.get("HFJ_RES_VER") * k;
				row[resId] = ((Number) row[resId]).longValue() + span.get("HFJ_RESOURCE") * k;
				if (row[text] != null) {
					row[text] = rewriteReferences((String) row[text], indexShift);
				}
				if (row[blob] != null) {
					row[blob] = rewriteStoredBytes((byte[]) row[blob], String.valueOf(row[encoding]), indexShift);
				}
				for (int i = 0; i < row.length; i++) {
					if (row[i] == null) {
						insert.setNull(i + 1, Types.NULL);
					} else if (row[i] instanceof byte[] bytes) {
						insert.setBytes(i + 1, bytes);
					} else {
						insert.setObject(i + 1, row[i]);
					}
				}
				insert.addBatch();
				if (++inserted % 500 == 0) {
					insert.executeBatch();
				}
			}
			insert.executeBatch();
		}
		return inserted;
	}

	private static byte[] rewriteStoredBytes(byte[] stored, String encoding, long indexShift) {
		try {
			switch (encoding) {
				case "JSON" -> {
					return rewriteReferences(new String(stored, StandardCharsets.UTF_8), indexShift).getBytes(StandardCharsets.UTF_8);
				}
				case "JSONC" -> {
					String json;
					try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
						json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
					}
					ByteArrayOutputStream out = new ByteArrayOutputStream();
					try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
						gzip.write(rewriteReferences(json, indexShift).getBytes(StandardCharsets.UTF_8));
					}
					return out.toByteArray();
				}
				default -> throw new IllegalStateException("stored body in encoding " + encoding + " is not supported");
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Every reference to a per-patient resource in the JSON body points to the same copy. */
	static String rewriteReferences(String json, long indexShift) {
		Matcher reference = REFERENCE.matcher(json);
		StringBuilder out = new StringBuilder(json.length() + 16);
		while (reference.find()) {
			String target = reference.group(1);
			Matcher index = PATIENT_INDEX.matcher(target);
			StringBuilder rewritten = new StringBuilder();
			while (index.find()) {
				index.appendReplacement(rewritten, "pt" + String.format("%05d", Integer.parseInt(index.group(1)) + indexShift));
			}
			index.appendTail(rewritten);
			reference.appendReplacement(out, Matcher.quoteReplacement("\"reference\":\"" + rewritten + "\""));
		}
		reference.appendTail(out);
		return out.toString();
	}
}
