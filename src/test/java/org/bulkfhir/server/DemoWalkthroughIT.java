package org.bulkfhir.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.bulkfhir.support.BulkClient;
import org.bulkfhir.support.WarProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's curl walk-through, exactly as written there, against the packaged WAR started the
 * way the README starts it ({@code --spring.profiles.active=demo}), pasted as soon as the server
 * answers: the fenced shell blocks of the walk-through section run in one bash session, with only
 * {@code http://localhost:8080} replaced by this server's address. A README that drifts from the
 * product fails here.
 */
class DemoWalkthroughIT {

	private static final Path README = Path.of("README.md");
	private static final String SECTION = "## A walk-through with curl";
	private static final String README_ROOT = "http://localhost:8080";
	private static final Pattern BLOCK = Pattern.compile("(?ms)^```sh\\n(.*?)^```$");
	private static final Pattern END = Pattern.compile("@@end (\\d+) rc=(\\d+)@@");

	@Test
	void readmeWalkThroughWorksPastedRightAfterStartUp() throws Exception {
		List<String> blocks = walkThroughBlocks();
		assertThat(blocks).as("shell blocks of the README's walk-through").hasSizeGreaterThanOrEqualTo(7);

		Path dataDir = Path.of("target", "test-data", "demo-" + UUID.randomUUID()).toAbsolutePath();
		try (WarProcess server = new WarProcess(dataDir, List.of("--spring.profiles.active=demo")).start()) {
			String root = server.base().substring(0, server.base().length() - "/fhir".length());
			// At once: the port is open, so the walk-through must work now.
			Map<Integer, String> outputs = run(blocks, root, dataDir);
			long finishedAt = System.currentTimeMillis();

			String log = Files.readString(dataDir.resolve("server.log"));
			System.out.printf("Demo walk-through: server answered %d ms after launch, walk-through done %d ms later; %s%n",
					server.answeringAt() - server.launchedAt(), finishedAt - server.answeringAt(),
					firstMatch(log, "Loaded sample data: .*"));
			assertThat(readyLine(dataDir))
					.contains("FHIR base " + root + "/fhir")
					.contains("admin UI " + root + "/admin/")
					.contains("user 'admin', password 'demo-admin'")
					.contains("scripts/demo-token " + root);

			String vars = outputs.get(-1);
			String token = variable(vars, "TOKEN");
			assertThat(token).as("scripts/demo-token prints a JWT").matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
			assertThat(variable(vars, "WRITER")).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");

			assertThat(blockWith(blocks, outputs, "Patient?_count=1"))
					.containsPattern("\"resourceType\" *: *\"Bundle\"")
					.containsPattern("\"resourceType\" *: *\"Patient\"");
			assertThat(blockWith(blocks, outputs, "WRITER=$(scripts/demo-token"))
					.containsPattern("\"type\" *: *\"transaction-response\"")
					.containsPattern("\"status\" *: *\"20[01] (Created|OK)\"");
			String status = variable(vars, "STATUS");
			assertThat(blockWith(blocks, outputs, "STATUS=$(curl")).isEqualTo(status + "\n");
			assertThat(status).as("the kick-off's Content-Location").startsWith(root + "/fhir/");

			JsonNode manifest = BulkClient.JSON.readTree(blockWith(blocks, outputs, "cat manifest.json"));
			assertThat(manifest.get("output")).isNotEmpty();
			assertThat(manifest.get("request").asText()).endsWith("Group/small/$export");

			String file = variable(vars, "FILE");
			assertThat(file).startsWith(root + "/fhir/");
			String downloads = blockWith(blocks, outputs, "FILE=$(grep");
			String[] lines = downloads.split("\n", 3);
			assertThat(lines[0]).startsWith("{\"resourceType\":\"Patient\"");
			assertThat(lines[1]).startsWith("{\"resourceType\":\"Patient\"");
			assertThat(lines[2]).startsWith("<Bundle xmlns=\"http://hl7.org/fhir\">");

			assertThat(blockWith(blocks, outputs, "-X DELETE")).startsWith("HTTP/1.1 202");
			HttpResponse<String> gone = HttpClient.newHttpClient().send(
					HttpRequest.newBuilder(URI.create(status)).header("Authorization", "Bearer " + token).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(gone.statusCode()).as("the deleted job's status").isEqualTo(404);

			HttpResponse<String> loaded = HttpClient.newHttpClient().send(
					HttpRequest.newBuilder(URI.create(server.base() + "/Patient/walkthrough"))
							.header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json").build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(loaded.statusCode()).as("the Patient the write-scoped token loaded").isEqualTo(200);
			assertThat(loaded.body()).contains("Walker");
		}
	}

	/** The fenced {@code sh} blocks between the walk-through heading and the next heading. */
	static List<String> walkThroughBlocks() throws Exception {
		String readme = Files.readString(README, StandardCharsets.UTF_8);
		int start = readme.indexOf(SECTION);
		assertThat(start).as("README section '%s'", SECTION).isNotNegative();
		int end = readme.indexOf("\n## ", start + SECTION.length());
		String section = readme.substring(start, end < 0 ? readme.length() : end);
		List<String> blocks = new ArrayList<>();
		Matcher matcher = BLOCK.matcher(section);
		while (matcher.find()) {
			blocks.add(matcher.group(1));
		}
		return blocks;
	}

	/**
	 * Runs the blocks in one bash session in a scratch directory (with {@code scripts/} of this
	 * project), each followed by a marker with its exit code, then prints the session's variables.
	 * Returns each block's output by index; -1 holds the variables.
	 */
	private static Map<Integer, String> run(List<String> blocks, String root, Path dataDir) throws Exception {
		Path work = Files.createDirectories(dataDir.resolve("walkthrough"));
		Files.createSymbolicLink(work.resolve("scripts"), Path.of("scripts").toAbsolutePath());
		StringBuilder script = new StringBuilder();
		for (int i = 0; i < blocks.size(); i++) {
			script.append(blocks.get(i).replace(README_ROOT, root))
					.append("echo \"@@end ").append(i).append(" rc=$?@@\"\n");
		}
		script.append("echo \"TOKEN=$TOKEN\"; echo \"WRITER=$WRITER\"; echo \"STATUS=$STATUS\"; echo \"FILE=$FILE\"\n");
		Files.writeString(work.resolve("walkthrough.sh"), script);
		Process bash = new ProcessBuilder("bash", "walkthrough.sh")
				.directory(work.toFile())
				.redirectErrorStream(true)
				.redirectOutput(work.resolve("output.txt").toFile())
				.start();
		assertThat(bash.waitFor(3, TimeUnit.MINUTES)).as("the walk-through finishes").isTrue();
		String output = Files.readString(work.resolve("output.txt"));
		System.out.println("Walk-through output:\n" + output);

		Map<Integer, String> outputs = new LinkedHashMap<>();
		Matcher marker = END.matcher(output);
		int from = 0;
		while (marker.find()) {
			int index = Integer.parseInt(marker.group(1));
			assertThat(marker.group(2)).as("exit code of block %d:%n%s", index, blocks.get(index)).isEqualTo("0");
			outputs.put(index, output.substring(from, marker.start()));
			from = marker.end() + 1;
		}
		assertThat(outputs).as("every block ran").hasSize(blocks.size());
		outputs.put(-1, output.substring(from));
		return outputs;
	}

	private static String blockWith(List<String> blocks, Map<Integer, String> outputs, String command) {
		for (int i = 0; i < blocks.size(); i++) {
			if (blocks.get(i).contains(command)) {
				return outputs.get(i);
			}
		}
		throw new AssertionError("No walk-through block contains " + command);
	}

	private static String variable(String vars, String name) {
		String line = firstMatch(vars, "(?m)^" + name + "=.*$");
		return line.isEmpty() ? "" : line.substring(name.length() + 1);
	}

	private static String firstMatch(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		return matcher.find() ? matcher.group() : "";
	}

	/** The server's last start-up line, which it logs right after the port opens. */
	private static String readyLine(Path dataDir) throws Exception {
		long deadline = System.currentTimeMillis() + 30_000;
		while (System.currentTimeMillis() < deadline) {
			String line = firstMatch(Files.readString(dataDir.resolve("server.log")), "bulkfhir is ready: .*");
			if (!line.isEmpty()) {
				return line;
			}
			Thread.sleep(200);
		}
		throw new AssertionError("no 'bulkfhir is ready' line in the server log");
	}
}
