package org.bulkfhir.audit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * {@code bulkfhir.audit.*}, see {@code docs/configuration.md}. Kept beside the audit code rather than
 * in {@code BulkFhirProperties} so that the audit package is self-contained.
 *
 * @param retention how long entries are kept. Six years by default: HIPAA's retention period for
 *     required documentation (45 CFR 164.316(b)(2)(i)), which security teams commonly apply to access
 *     logs; many state laws and hospital policies ask for as long or longer. 2,192 days covers two leap days.
 * @param purgeInterval how often older entries are removed
 * @param recordForwardedFor also record the {@code X-Forwarded-For} header (as sent: any client can forge it)
 * @param fhirAuditEvents also write each entry as a FHIR AuditEvent (IHE BALP shape) into HAPI
 */
@ConfigurationProperties("bulkfhir.audit")
public record AuditProperties(
		@DefaultValue("2192d") Duration retention,
		@DefaultValue("1h") Duration purgeInterval,
		@DefaultValue("false") boolean recordForwardedFor,
		@DefaultValue("false") boolean fhirAuditEvents) {}
