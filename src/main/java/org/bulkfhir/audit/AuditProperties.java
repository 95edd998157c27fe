package org.bulkfhir.audit;

import java.time.Duration;

/**
 * {@code bulkfhir.audit.*}, see {@code docs/configuration.md}. Kept beside the audit code rather than
 * in {@code BulkFhirProperties} so that the audit package is self-contained.
 */
public class AuditProperties {

	/**
	 * Six years: HIPAA's retention period for required documentation (45 CFR 164.316(b)(2)(i)),
	 * which security teams commonly apply to access logs; many state laws and hospital policies ask
	 * for as long or longer. 2,192 days covers two leap days.
	 */
	private Duration retention = Duration.ofDays(2192);

	private Duration purgeInterval = Duration.ofHours(1);

	/** Also record the {@code X-Forwarded-For} header (as sent: any client can forge it). */
	private boolean recordForwardedFor = false;

	/** Also write each entry as a FHIR AuditEvent (IHE BALP shape) into HAPI. */
	private boolean fhirAuditEvents = false;

	public boolean isFhirAuditEvents() {
		return fhirAuditEvents;
	}

	public void setFhirAuditEvents(boolean fhirAuditEvents) {
		this.fhirAuditEvents = fhirAuditEvents;
	}

	public Duration getRetention() {
		return retention;
	}

	public void setRetention(Duration retention) {
		this.retention = retention;
	}

	public Duration getPurgeInterval() {
		return purgeInterval;
	}

	public void setPurgeInterval(Duration purgeInterval) {
		this.purgeInterval = purgeInterval;
	}

	public boolean isRecordForwardedFor() {
		return recordForwardedFor;
	}

	public void setRecordForwardedFor(boolean recordForwardedFor) {
		this.recordForwardedFor = recordForwardedFor;
	}
}
