package org.bulkfhir.read;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.InstantType;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/** The spliced {@code meta.lastUpdated} must read exactly as HAPI's own encoding of the same instant. */
class LastUpdatedFormatTest {

	@Test
	void matchesHapiInstantTypeInTheServerZone() {
		long[] instants = {
			0L, // epoch, whole second
			1_700_000_000_000L, // whole second: HAPI still prints .000
			1_763_897_412_345L,
			1_711_846_799_999L, // just before a European DST change
			1_711_846_800_001L,
			253_402_000_000_123L // late 9999
		};
		for (long instant : instants) {
			String hapi = new InstantType(new Date(instant)).getValueAsString();
			assertThat(StoredResourceReader.lastUpdated(new Timestamp(instant)))
					.as("instant %d in zone %s", instant, TimeZone.getDefault().getID())
					.isEqualTo(hapi);
			for (String zone : new String[] {"Europe/Paris", "America/St_Johns", "Asia/Kolkata", "UTC"}) {
				String inZone = new InstantType(new Date(instant), TemporalPrecisionEnum.MILLI, TimeZone.getTimeZone(zone))
						.getValueAsString();
				assertThat(StoredResourceReader.lastUpdated(new Timestamp(instant), ZoneId.of(zone)))
						.as("instant %d in zone %s", instant, zone)
						.isEqualTo(inZone);
			}
		}
	}
}
