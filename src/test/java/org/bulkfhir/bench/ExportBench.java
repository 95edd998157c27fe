package org.bulkfhir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The measuring half of {@code scripts/bench} (the script starts and stops servers). Each command
 * prints {@code key=value} lines that the script collects:
 * <ul>
 *   <li>{@code export BASE GROUP OUTDIR CAP_SECONDS [xml] [types=T1,T2]}: Group $export kick-off →
 *   manifest, then downloads every file (timed) and writes the sorted type/id/versionId list to
 *   OUTDIR/ids.txt; with {@code xml} it also tries the files as FHIR XML; {@code types} is sent as
 *   {@code _type}.</li>
 *   <li>{@code limit JDBC_URL TYPES OUTFILE}: one streaming read of the stored text of the current
 *   versions of all resources of TYPES, written as lines to OUTFILE, no parsing.</li>
 *   <li>{@code compare OURS_IDS STOCK_IDS}: the two exported sets without Provenance and Group.</li>
 *   <li>{@code sql JDBC_URL USER PASSWORD STATEMENT...}: runs the statements (autocommit), e.g. to copy a
 *   PostgreSQL database from its template.</li>
 *   <li>{@code postgres DATA_DIR PORT}: runs the embedded PostgreSQL the tests use (io.zonky) on DATA_DIR
 *   (created on first use, kept) until the process is stopped.</li>
 * </ul>
 * {@code export} also takes {@code query=...}, appended to the kick-off URL as it is (e.g. a
 * {@code _typeFilter} or {@code _since}); {@code limit} takes the database user and password after the
 * output file (default: H2's sa with no password).
 */
public final class ExportBench {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final Duration POLL = Duration.ofMillis(50);
	private static final HttpClient HTTP = HttpClient.newBuilder()
			.connectTimeout(Duration.ofSeconds(10))
			.build();

	private ExportBench() {}

	public static void main(String[] args) throws Exception {
		Map<String, Object> result = switch (args[0]) {
			case "export" -> export(args[1], args[2], Path.of(args[3]), Long.parseLong(args[4]),
					List.of(args).subList(5, args.length).contains("xml"), option(args, "types="), option(args, "query="),
					List.of(args).subList(5, args.length).contains("delete"));
			case "limit" -> limit(args[1], List.of(args[2].split(",")), Path.of(args[3]),
					args.length > 4 ? args[4] : "sa", args.length > 5 ? args[5] : "");
			case "compare" -> compare(Path.of(args[1]), Path.of(args[2]));
			case "sql" -> sql(args[1], args[2], args[3], List.of(args).subList(4, args.length));
			case "postgres" -> postgres(Path.of(args[1]), Integer.parseInt(args[2]));
			default -> throw new IllegalArgumentException("Unknown command " + args[0]);
		};
		result.forEach((k, v) -> System.out.println(k + "=" + v));
	}

	/** The value of an optional {@code name=value} argument, or null. */
	private static String option(String[] args, String prefix) {
		for (String arg : args) {
			if (arg.startsWith(prefix)) {
				return arg.substring(prefix.length());
			}
		}
		return null;
	}

	/**
	 * This client is a JVM of its own, started for each export. Its first request loads and compiles
	 * the HTTP client, and its JIT keeps compiling for a moment after: on two cores that took CPU from
	 * the server during the first part of a one-second export (until 2026-12-01 06:00 UTC the timed
	 * kick-off was that first request). One untimed request to the server's CapabilityStatement, then a
	 * second's pause, and the timed requests run in a settled client, for every server alike.
	 */
	private static void settleClient(String base) throws Exception {
		HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metadata")).header("Accept", "application/fhir+json").GET().build(),
				HttpResponse.BodyHandlers.discarding());
		Thread.sleep(1000);
	}

	static Map<String, Object> export(
			String base, String group, Path out, long capSeconds, boolean xml, String typeParam, String query,
			boolean deleteAfter) throws Exception {
		Files.createDirectories(out.resolve("files"));
		Map<String, Object> result = new LinkedHashMap<>();
		settleClient(base);
		long start = System.nanoTime();
		HttpResponse<String> kickoff = HTTP.send(
				HttpRequest.newBuilder(URI.create(base + "/Group/" + group + "/$export"
								+ (typeParam == null ? "" : "?_type=" + typeParam)
								+ (query == null ? "" : (typeParam == null ? "?" : "&") + query)))
						.header("Accept", "application/fhir+json")
						.header("Prefer", "respond-async")
						// Stock HAPI would otherwise hand back an earlier identical job.
						.header("Cache-Control", "no-cache")
						.GET().build(),
				HttpResponse.BodyHandlers.ofString());
		if (kickoff.statusCode() != 202) {
			throw new IllegalStateException("Kick-off answered " + kickoff.statusCode() + ": " + kickoff.body());
		}
		String statusUrl = kickoff.headers().firstValue("Content-Location").orElseThrow();
		long deadline = start + Duration.ofSeconds(capSeconds).toNanos();
		HttpResponse<String> status;
		int polls = 0;
		// Polls at a fixed 50 ms for both servers (200 ms before 2026-11-30 16:30 UTC), ignoring
		// Retry-After (stock says 120 s): the figure is when the server finished, not how patient a
		// client is.
		while (true) {
			status = HTTP.send(HttpRequest.newBuilder(URI.create(statusUrl))
					.header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
			polls++;
			if (status.statusCode() != 202) {
				break;
			}
			if (System.nanoTime() > deadline) {
				HTTP.send(HttpRequest.newBuilder(URI.create(statusUrl)).DELETE().build(),
						HttpResponse.BodyHandlers.discarding());
				result.put("timedOut", true);
				result.put("seconds", capSeconds);
				return result;
			}
			Thread.sleep(POLL.toMillis());
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		if (status.statusCode() != 200) {
			throw new IllegalStateException("Status answered " + status.statusCode() + ": " + status.body());
		}
		Files.writeString(out.resolve("manifest.json"), status.body());
		result.put("timedOut", false);
		result.put("seconds", String.format("%.2f", seconds));
		result.put("polls", polls);

		JsonNode manifest = JSON.readTree(status.body());
		List<String> urls = new ArrayList<>();
		TreeSet<String> types = new TreeSet<>();
		long manifestCount = 0;
		for (JsonNode file : manifest.path("output")) {
			urls.add(file.path("url").asText());
			types.add(file.path("type").asText());
			manifestCount += file.path("count").asLong(0);
		}
		result.put("files", urls.size());
		result.put("types", String.join(",", types));
		result.put("manifestCount", manifestCount);

		long downloadStart = System.nanoTime();
		long bytes = 0;
		List<Path> downloaded = new ArrayList<>();
		for (int i = 0; i < urls.size(); i++) {
			Path file = out.resolve("files").resolve(String.format("%05d.ndjson", i));
			bytes += download(urls.get(i), "application/fhir+ndjson", file);
			downloaded.add(file);
		}
		double downloadSeconds = (System.nanoTime() - downloadStart) / 1e9;
		result.put("bytes", bytes);
		result.put("downloadSeconds", String.format("%.2f", downloadSeconds));
		result.put("downloadMBps", String.format("%.1f", bytes / 1e6 / downloadSeconds));

		List<String> updated = new ArrayList<>();
		long resources = writeIds(downloaded, out.resolve("ids.txt"), updated);
		result.put("resources", resources);
		if (!updated.isEmpty()) {
			// A _since for an incremental export: the newest tenth of what this export returned.
			updated.sort(null);
			result.put("lastUpdated90", updated.get(updated.size() * 9 / 10));
		}
		result.put("resourcesPerSecond", String.format("%.0f", resources / seconds));
		if (xml && !urls.isEmpty()) {
			result.putAll(tryXml(urls, out));
		}
		if (deleteAfter) {
			// As a client that has its files does: the server keeps a client's completed exports only up to a limit.
			HTTP.send(HttpRequest.newBuilder(URI.create(statusUrl)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
		}
		return result;
	}

	private static long download(String url, String accept, Path file) throws Exception {
		HttpResponse<InputStream> response = HTTP.send(
				HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).GET().build(),
				HttpResponse.BodyHandlers.ofInputStream());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + url + " answered " + response.statusCode());
		}
		try (InputStream in = response.body(); OutputStream os = Files.newOutputStream(file)) {
			return in.transferTo(os);
		}
	}

	private static Map<String, Object> tryXml(List<String> urls, Path out) throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		HttpResponse<InputStream> probe = HTTP.send(
				HttpRequest.newBuilder(URI.create(urls.get(0))).header("Accept", "application/fhir+xml").GET().build(),
				HttpResponse.BodyHandlers.ofInputStream());
		probe.body().close();
		String type = probe.headers().firstValue("Content-Type").orElse("");
		if (probe.statusCode() != 200 || !type.contains("xml")) {
			result.put("xml", "not available in this build (HTTP " + probe.statusCode() + ", " + type + ")");
			return result;
		}
		Path dir = Files.createDirectories(out.resolve("xml"));
		long bytes = 0;
		long largestBytes = 0;
		double largestSeconds = 0;
		double seconds = 0;
		// Two passes over all files: the first is the server's first XML work since start-up (the
		// converter not yet compiled by the JIT), the second is the steady state.
		for (int pass = 1; pass <= 2; pass++) {
			long start = System.nanoTime();
			bytes = 0;
			for (int i = 0; i < urls.size(); i++) {
				long fileStart = System.nanoTime();
				long fileBytes = download(urls.get(i), "application/fhir+xml", dir.resolve(String.format("%05d.xml", i)));
				if (pass == 2 && fileBytes > largestBytes) {
					largestBytes = fileBytes;
					largestSeconds = (System.nanoTime() - fileStart) / 1e9;
				}
				bytes += fileBytes;
			}
			seconds = (System.nanoTime() - start) / 1e9;
			if (pass == 1) {
				result.put("xmlColdMBps", String.format("%.1f", bytes / 1e6 / seconds));
			}
		}
		result.put("xml", "available");
		result.put("xmlBytes", bytes);
		result.put("xmlMBps", String.format("%.1f", bytes / 1e6 / seconds));
		// One request's conversion speed, with the per-request cost spread over the most bytes.
		result.put("xmlLargestBytes", largestBytes);
		result.put("xmlLargestMBps", String.format("%.1f", largestBytes / 1e6 / largestSeconds));
		return result;
	}

	/** Writes "Type/id/versionId" of every line, sorted, and collects meta.lastUpdated; returns the number of lines. */
	private static long writeIds(List<Path> files, Path idsFile, List<String> lastUpdated) throws IOException {
		List<String> ids = new ArrayList<>();
		for (Path file : files) {
			try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
				String line;
				while ((line = reader.readLine()) != null) {
					if (line.isBlank()) {
						continue;
					}
					JsonNode resource = JSON.readTree(line);
					ids.add(resource.path("resourceType").asText() + "/" + resource.path("id").asText()
							+ "/" + resource.path("meta").path("versionId").asText("?"));
					String updated = resource.path("meta").path("lastUpdated").asText("");
					if (!updated.isEmpty()) {
						// As an instant in UTC, so that the values sort by time whatever their offsets.
						lastUpdated.add(java.time.OffsetDateTime.parse(updated).toInstant().toString());
					}
				}
			}
		}
		ids.sort(null);
		Files.write(idsFile, ids);
		return ids.size();
	}

	/**
	 * Several passes in one JVM (the first pays for class loading and JIT); the fastest is the limit.
	 * On H2 the text column is read both as the CLOB it is and cast to VARCHAR (as ours reads it).
	 */
	static Map<String, Object> limit(String jdbcUrl, List<String> types, Path out, String user, String password)
			throws Exception {
		List<String> forms = jdbcUrl.startsWith("jdbc:h2:")
				? List.of("v.RES_TEXT_VC", "CAST(v.RES_TEXT_VC AS VARCHAR)")
				: List.of("v.RES_TEXT_VC");
		int passesPerForm = forms.size() == 1 ? 3 : 2;
		Map<String, Object> best = null;
		List<String> passes = new ArrayList<>();
		for (String form : forms) {
			for (int pass = 0; pass < passesPerForm; pass++) {
				Map<String, Object> result = limitPass(jdbcUrl, types, out, form, user, password);
				passes.add(result.get("seconds") + (forms.size() > 1 ? (form.startsWith("CAST") ? " (VARCHAR)" : " (CLOB)") : ""));
				if (best == null || Double.parseDouble((String) result.get("seconds"))
						< Double.parseDouble((String) best.get("seconds"))) {
					best = result;
				}
			}
		}
		best.put("passes", String.join(" / ", passes));
		return best;
	}

	private static Map<String, Object> limitPass(
			String jdbcUrl, List<String> types, Path out, String textColumn, String user, String password) throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		String marks = types.stream().map(t -> "?").collect(Collectors.joining(","));
		String sql = "SELECT " + textColumn + " FROM HFJ_RESOURCE r"
				+ " JOIN HFJ_RES_VER v ON v.RES_ID = r.RES_ID AND v.RES_VER = r.RES_VER"
				+ " WHERE r.RES_DELETED_AT IS NULL AND r.RES_TYPE IN (" + marks + ")";
		try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
			connection.setAutoCommit(false);
			long start = System.nanoTime();
			long rows = 0;
			long nulls = 0;
			long chars = 0;
			try (PreparedStatement statement = connection.prepareStatement(
							sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
					Writer writer = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
				statement.setFetchSize(1000);
				for (int i = 0; i < types.size(); i++) {
					statement.setString(i + 1, types.get(i));
				}
				try (ResultSet rs = statement.executeQuery()) {
					while (rs.next()) {
						String text = rs.getString(1);
						rows++;
						if (text == null) {
							nulls++;
							continue;
						}
						chars += text.length();
						writer.write(text);
						writer.write('\n');
					}
				}
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			long bytes = Files.size(out);
			result.put("rows", rows);
			result.put("nullText", nulls);
			result.put("bytes", bytes);
			result.put("seconds", String.format("%.2f", seconds));
			result.put("resourcesPerSecond", String.format("%.0f", rows / seconds));
			result.put("MBps", String.format("%.1f", bytes / 1e6 / seconds));
		}
		return result;
	}

	static Map<String, Object> sql(String jdbcUrl, String user, String password, List<String> statements)
			throws Exception {
		Map<String, Object> result = new LinkedHashMap<>();
		try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
				java.sql.Statement statement = connection.createStatement()) {
			long start = System.nanoTime();
			for (String sql : statements) {
				if (statement.execute(sql)) {
					try (ResultSet rs = statement.getResultSet()) {
						List<String> rows = new ArrayList<>();
						while (rs.next()) {
							rows.add(rs.getString(1));
						}
						// The first column of every row (one line per row), e.g. a version or an EXPLAIN plan.
						result.put("result", String.join("\n", rows));
					}
				}
			}
			result.put("seconds", String.format("%.2f", (System.nanoTime() - start) / 1e9));
		}
		return result;
	}

	/** The tests' embedded PostgreSQL on a data directory of its own, until this process is stopped. */
	static Map<String, Object> postgres(Path dataDir, int port) throws Exception {
		Files.createDirectories(dataDir);
		io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres
				.builder()
				.setDataDirectory(dataDir)
				.setCleanDataDirectory(false)
				.setPort(port)
				.setPGStartupWait(Duration.ofMinutes(2))
				.start();
		System.out.println("ready=" + postgres.getJdbcUrl("postgres", "postgres"));
		System.out.flush();
		Thread.currentThread().join();
		return Map.of();
	}

	static Map<String, Object> compare(Path oursIds, Path stockIds) throws IOException {
		TreeSet<String> ours = comparable(oursIds);
		TreeSet<String> stock = comparable(stockIds);
		TreeSet<String> onlyOurs = new TreeSet<>(ours);
		onlyOurs.removeAll(stock);
		TreeSet<String> onlyStock = new TreeSet<>(stock);
		onlyStock.removeAll(ours);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("same", onlyOurs.isEmpty() && onlyStock.isEmpty());
		result.put("compared", ours.size() + " ours, " + stock.size() + " stock");
		result.put("onlyOurs", byType(onlyOurs));
		result.put("onlyStock", byType(onlyStock));
		result.put("exampleOnlyOurs", onlyOurs.stream().limit(3).toList());
		result.put("exampleOnlyStock", onlyStock.stream().limit(3).toList());
		return result;
	}

	private static TreeSet<String> comparable(Path ids) throws IOException {
		return Files.readAllLines(ids).stream()
				.filter(id -> !id.startsWith("Provenance/") && !id.startsWith("Group/"))
				.collect(Collectors.toCollection(TreeSet::new));
	}

	private static String byType(TreeSet<String> ids) {
		Map<String, Long> counts = new TreeMap<>(ids.stream()
				.collect(Collectors.groupingBy(id -> id.substring(0, id.indexOf('/')), Collectors.counting())));
		return counts.isEmpty() ? "none" : counts.toString();
	}
}
