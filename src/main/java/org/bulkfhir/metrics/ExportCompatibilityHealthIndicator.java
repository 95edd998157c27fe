package org.bulkfhir.metrics;

import org.bulkfhir.read.ExportAvailability;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The start-up check of HAPI's settings and schema ({@code HapiCompatibility}): UP when Bulk Data
 * export is switched on, DOWN with the reason (the setting or the missing table/column) when it is
 * switched off. The rest of the FHIR server runs either way.
 */
public class ExportCompatibilityHealthIndicator implements HealthIndicator {

	private final ExportAvailability availability;

	public ExportCompatibilityHealthIndicator(ExportAvailability availability) {
		this.availability = availability;
	}

	@Override
	public Health health() {
		String refusal = availability.refusal();
		return refusal == null
				? Health.up().withDetail("export", "available").build()
				: Health.down().withDetail("export", "switched off").withDetail("reason", refusal).build();
	}
}
