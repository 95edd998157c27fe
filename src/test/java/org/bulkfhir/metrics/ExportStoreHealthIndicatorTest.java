package org.bulkfhir.metrics;

import org.bulkfhir.storage.FilesystemExportFileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import java.io.OutputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The export store's health follows the conditions under which kick-offs get 503. */
class ExportStoreHealthIndicatorTest {

	@TempDir
	Path directory;

	@Test
	void upWhileExportsCanBeWrittenDownAtTheCapOrBelowTheFreeSpaceFloor() throws Exception {
		FilesystemExportFileStore store = new FilesystemExportFileStore(directory);
		try (OutputStream out = store.create("job-1", "Patient-1.ndjson")) {
			out.write(new byte[1000]);
		}

		Health ok = new ExportStoreHealthIndicator(store, 1_000_000, 1).health();
		assertThat(ok.getStatus()).isEqualTo(Status.UP);
		assertThat(ok.getDetails()).containsEntry("writable", true)
				.containsEntry("files", 1L)
				.containsEntry("usedBytes", 1000L)
				.containsEntry("maxTotalBytes", 1_000_000L);
		assertThat(ok.getDetails().values()).noneMatch(v -> v.toString().contains(directory.toString()));

		Health full = new ExportStoreHealthIndicator(store, 1000, 0).health();
		assertThat(full.getStatus()).isEqualTo(Status.DOWN);
		assertThat(full.getDetails().get("reason").toString()).contains("max-total-bytes");

		Health lowSpace = new ExportStoreHealthIndicator(store, 0, Long.MAX_VALUE).health();
		assertThat(lowSpace.getStatus()).isEqualTo(Status.DOWN);
		assertThat(lowSpace.getDetails().get("reason").toString()).contains("min-free-bytes");

		assertThat(new ExportStoreHealthIndicator(store, 0, 0).health().getStatus())
				.as("0 switches both limits off").isEqualTo(Status.UP);
		assertThat(directory.toFile().list()).as("the write probe leaves nothing behind").containsExactly("job-1");
	}

	@Test
	void downWhenTheDirectoryIsGone() throws Exception {
		Path gone = directory.resolve("exports");
		FilesystemExportFileStore store = new FilesystemExportFileStore(gone);
		java.nio.file.Files.delete(gone);
		Health health = new ExportStoreHealthIndicator(store, 0, 0).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
	}
}
