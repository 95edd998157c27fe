package org.bulkfhir.server.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class H2LoadWriteDelayTest {

	@TempDir
	Path dir;

	@Test
	void relaxesTheWriteDelayDuringTheLoadAndPutsTheConfiguredOneBack() {
		SingleConnectionDataSource dataSource = new SingleConnectionDataSource(
				"jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0", "sa", "", true);
		try {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			assertThat(writeDelay(jdbc)).isZero();

			try (H2LoadWriteDelay relaxed = H2LoadWriteDelay.relax(jdbc)) {
				assertThat(writeDelay(jdbc)).isEqualTo(500);
			}

			assertThat(writeDelay(jdbc)).isZero();
		} finally {
			dataSource.destroy();
		}
	}

	@Test
	void leavesALongerConfiguredDelayAlone() {
		SingleConnectionDataSource dataSource = new SingleConnectionDataSource(
				"jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=2000", "sa", "", true);
		try {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			try (H2LoadWriteDelay relaxed = H2LoadWriteDelay.relax(jdbc)) {
				assertThat(writeDelay(jdbc)).isEqualTo(2000);
			}
			assertThat(writeDelay(jdbc)).isEqualTo(2000);
		} finally {
			dataSource.destroy();
		}
	}

	private static int writeDelay(JdbcTemplate jdbc) {
		return jdbc.queryForObject(
				"SELECT DISTINCT CAST(SETTING_VALUE AS INT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'",
				Integer.class);
	}
}
