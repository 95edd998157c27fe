package org.bulkfhir.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The packaged WAR run as its own JVM, the way an operator runs it, so tests can kill -9 it. */
public class WarProcess implements AutoCloseable {

	private final Path dataDir;
	private final List<String> extraArgs;
	private final int port;
	private boolean testHooks;
	private Process process;
	private long launchedAt;
	private long answeringAt;

	public WarProcess(Path dataDir, List<String> extraArgs) throws IOException {
		this.dataDir = dataDir;
		this.extraArgs = extraArgs;
		try (ServerSocket socket = new ServerSocket(0)) {
			this.port = socket.getLocalPort();
		}
	}

	/** {@code target/bulkfhir.war}, or the WAR named by {@code -Dbulkfhir.it.war} (e.g. an older build to compare with). */
	public static Path war() {
		Path war = Path.of(System.getProperty("bulkfhir.it.war", "target/bulkfhir.war")).toAbsolutePath();
		if (!Files.exists(war)) {
			throw new IllegalStateException("Run after 'mvn package': " + war + " is missing");
		}
		return war;
	}

	/**
	 * Starts the WAR with {@code target/test-classes} on its class path (Spring Boot's
	 * PropertiesLauncher with {@code loader.path}) and {@code org.bulkfhir.reliability.FaultInjection}
	 * as an extra configuration, for tests that slow work down (the WAR itself has no such hooks).
	 */
	public WarProcess withTestHooks() {
		this.testHooks = true;
		return this;
	}

	/** The process id (nodes record pid@host as their description). */
	public long pid() {
		return process.pid();
	}

	public String base() {
		return "http://localhost:" + port + "/fhir";
	}

	public WarProcess start() throws Exception {
		Files.createDirectories(dataDir);
		Path war = war();
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
		if (testHooks) {
			// Nested paths are resolved against the working directory, which is the WAR's.
			String name = war.getFileName().toString();
			command.addAll(List.of(
					"-cp", war.toString(),
					"-Dloader.path=" + name + "!/WEB-INF/classes/," + name + "!/WEB-INF/lib/," + name
							+ "!/WEB-INF/lib-provided/," + Path.of("target", "test-classes").toAbsolutePath(),
					"-Dloader.main=org.bulkfhir.server.BulkFhirServerApplication",
					"org.springframework.boot.loader.launch.PropertiesLauncher",
					"--spring.main.sources=org.bulkfhir.reliability.FaultInjection"));
		} else {
			command.addAll(List.of("-jar", war.toString()));
		}
		command.add("--server.port=" + port);
		command.add("--bulkfhir.data-dir=" + dataDir);
		command.addAll(extraArgs);
		launchedAt = System.currentTimeMillis();
		process = new ProcessBuilder(command)
				.directory(war.getParent().toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()))
				.start();
		awaitUp(Duration.ofSeconds(900));
		answeringAt = System.currentTimeMillis();
		return this;
	}

	/** When the JVM was launched (epoch ms). */
	public long launchedAt() {
		return launchedAt;
	}

	/** When the server first answered {@code /metadata} with 200 (epoch ms). */
	public long answeringAt() {
		return answeringAt;
	}

	private void awaitUp(Duration timeout) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("Server exited; see " + dataDir.resolve("server.log"));
			}
			try {
				HttpResponse<Void> response = http.send(
						HttpRequest.newBuilder(URI.create(base() + "/metadata")).build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return;
				}
			} catch (IOException notYet) {
				// still starting
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("Server did not start in " + timeout);
	}

	/** SIGKILL: no shutdown hooks, no flushing, as a crash or an OOM killer would do it. */
	public void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor();
	}

	@Override
	public void close() throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroy();
			if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
				kill();
			}
		}
	}
}
