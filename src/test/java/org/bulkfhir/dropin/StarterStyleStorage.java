package org.bulkfhir.dropin;

import org.springframework.test.context.DynamicPropertyRegistry;

import java.nio.file.Path;
import java.util.UUID;

/** A starter-style host's port, H2 file database and export directory, fresh for each test class. */
final class StarterStyleStorage {

	private StarterStyleStorage() {}

	static Path newDataDirectory() {
		return Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
	}

	static void register(DynamicPropertyRegistry registry, Path dataDir) {
		org.bulkfhir.support.TestPort.registerServerPort(registry);
		registry.add("bulkfhir.data-dir", dataDir::toString);
		registry.add("bulkfhir.storage.directory", () -> dataDir.resolve("exports").toString());
		registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dataDir.resolve("h2/hapi") + ";WRITE_DELAY=0");
	}
}
