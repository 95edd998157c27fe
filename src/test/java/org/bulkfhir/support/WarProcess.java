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
	private Process process;

	public WarProcess(Path dataDir, List<String> extraArgs) throws IOException {
		this.dataDir = dataDir;
		this.extraArgs = extraArgs;
		try (ServerSocket socket = new ServerSocket(0)) {
			this.port = socket.getLocalPort();
		}
	}

	public static Path war() {
		Path war = Path.of("target", "bulkfhir.war").toAbsolutePath();
		if (!Files.exists(war)) {
			throw new IllegalStateException("Run after 'mvn package': " + war + " is missing");
		}
		return war;
	}

	public String base() {
		return "http://localhost:" + port + "/fhir";
	}

	public WarProcess start() throws Exception {
		Files.createDirectories(dataDir);
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx1g",
				"-jar",
				war().toString(),
				"--server.port=" + port,
				"--bulkfhir.data-dir=" + dataDir));
		command.addAll(extraArgs);
		process = new ProcessBuilder(command)
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()))
				.start();
		awaitUp(Duration.ofSeconds(180));
		return this;
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
