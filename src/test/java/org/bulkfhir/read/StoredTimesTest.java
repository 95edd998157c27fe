package org.bulkfhir.read;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.InstantType;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stored wall time must become the instant the JDBC driver and Hibernate give it, and the spliced
 * {@code meta.lastUpdated} must read exactly as HAPI's own encoding of that instant, in every zone.
 */
class StoredTimesTest {

	private static final long[] INSTANTS = {
		0L, // epoch, whole second
		1_700_000_000_000L, // whole second: HAPI still prints .000
		1_763_897_412_345L,
		1_711_846_799_999L, // just before a European DST change
		1_711_846_800_001L,
		1_729_990_800_500L, // inside the hour that repeats when Europe leaves DST
		1_741_487_400_007L, // North America's spring change
		-1_000_000_000_001L, // before 1970
		253_402_000_000_123L // late 9999
	};

	private static final String[] ZONES = {"Europe/Paris", "America/St_Johns", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"};

	@Test
	void lastUpdatedReadsAsHapiInstantTypeInTheServerZone() {
		for (String zone : ZONES) {
			StoredTimes times = new StoredTimes(ZoneId.of(zone));
			for (int round = 0; round < 2; round++) { // the second round from the cache
				for (long instant : INSTANTS) {
					String hapi = new InstantType(new Date(instant), TemporalPrecisionEnum.MILLI, TimeZone.getTimeZone(zone))
							.getValueAsString();
					assertThat(times.lastUpdated(instant)).as("instant %d in zone %s", instant, zone).isEqualTo(hapi);
					assertThat(times.lastUpdated(instant + 59_999)).as("instant %d in zone %s", instant + 59_999, zone)
							.isEqualTo(new InstantType(new Date(instant + 59_999), TemporalPrecisionEnum.MILLI,
									TimeZone.getTimeZone(zone)).getValueAsString());
				}
			}
		}
	}

	@Test
	void wallTimesBecomeTheInstantsTheDriverGives() {
		TimeZone server = TimeZone.getDefault();
		try {
			for (String zone : ZONES) {
				TimeZone.setDefault(TimeZone.getTimeZone(zone));
				StoredTimes times = new StoredTimes(ZoneId.of(zone));
				for (int round = 0; round < 2; round++) {
					for (long instant : INSTANTS) {
						for (long nearby : new long[] {instant, instant + 1, instant + 59_999, instant + 3_600_000}) {
							LocalDateTime wall = new Timestamp(nearby).toLocalDateTime();
							assertThat(times.epochMillis(wall)).as("%s in zone %s", wall, zone)
									.isEqualTo(Timestamp.valueOf(wall).getTime());
						}
					}
					// Wall times that do not exist (spring forward) or exist twice (fall back) are read as the driver reads them.
					for (String wall : new String[] {"2024-03-31T02:30:00.250", "2024-10-27T02:30:00.250",
							"2025-03-09T02:30:00.001", "2025-11-02T01:30:00.999"}) {
						LocalDateTime local = LocalDateTime.parse(wall);
						assertThat(times.epochMillis(local)).as("%s in zone %s", wall, zone)
								.isEqualTo(Timestamp.valueOf(local).getTime());
					}
				}
			}
		} finally {
			TimeZone.setDefault(server);
		}
	}
}
