package org.bulkfhir.auth;

import java.util.Locale;

/** The three kinds of FHIR application; only System apps may use bulk export. */
public enum AppType {
	SYSTEM,
	PATIENT,
	USER;

	public static AppType parse(String value) {
		if (value == null) {
			throw new IllegalArgumentException("appType is required (system, patient or user)");
		}
		try {
			return valueOf(value.trim().toUpperCase(Locale.ROOT));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("appType must be system, patient or user, not '" + value + "'");
		}
	}

	public String code() {
		return name().toLowerCase(Locale.ROOT);
	}
}
