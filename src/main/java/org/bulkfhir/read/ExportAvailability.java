package org.bulkfhir.read;

/**
 * Whether the export endpoints and the export machinery run, and if not, why. Starts switched off
 * ("starting") until {@link HapiCompatibility} has checked the host.
 */
public class ExportAvailability {

	private volatile String refusal = "Bulk Data export is starting; try again in a moment.";

	public boolean isAvailable() {
		return refusal == null;
	}

	/** Why export is switched off; null when it is on. */
	public String refusal() {
		return refusal;
	}

	void set(String refusal) {
		this.refusal = refusal;
	}
}
