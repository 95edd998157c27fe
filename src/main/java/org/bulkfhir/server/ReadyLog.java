package org.bulkfhir.server;

import org.bulkfhir.admin.AdminAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * The last start-up line of the runnable WAR: the server is ready (sample data included), and
 * where to go: the FHIR base URL, the admin UI and, under the demo profile, the demo credentials
 * and how to get a token.
 */
@Component
public class ReadyLog implements ApplicationListener<ApplicationReadyEvent> {

	private static final Logger LOG = LoggerFactory.getLogger(ReadyLog.class);

	private final String fhirBase;
	private final String adminUser;
	private final String adminPassword;
	private final int samplePatients;

	public ReadyLog(
			@Value("${bulkfhir.public-base-url:http://localhost:${server.port:8080}/fhir}") String fhirBase,
			@Value("${bulkfhir.admin.username:admin}") String adminUser,
			@Value("${bulkfhir.admin.password:}") String adminPassword,
			@Value("${bulkfhir.sample-data.patients:0}") int samplePatients) {
		this.fhirBase = fhirBase.endsWith("/") ? fhirBase.substring(0, fhirBase.length() - 1) : fhirBase;
		this.adminUser = adminUser;
		this.adminPassword = adminPassword;
		this.samplePatients = samplePatients;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		LOG.info(message(event.getApplicationContext().getEnvironment()));
	}

	String message(Environment environment) {
		String root = fhirBase.endsWith("/fhir") ? fhirBase.substring(0, fhirBase.length() - "/fhir".length()) : fhirBase;
		StringBuilder line = new StringBuilder("bulkfhir is ready: FHIR base ").append(fhirBase)
				.append(", admin UI ").append(root).append("/admin/");
		boolean demo = environment.acceptsProfiles(Profiles.of("demo"));
		if (adminPassword.isEmpty()) {
			line.append(" (off: bulkfhir.admin.password is not set)");
		} else if (demo && AdminAccess.DEMO_PASSWORD.equals(adminPassword)) {
			line.append(" (demo credentials: user '").append(adminUser).append("', password '")
					.append(adminPassword).append("')");
		} else {
			line.append(" (user '").append(adminUser).append("', password as set in bulkfhir.admin.password)");
		}
		if (samplePatients > 0) {
			line.append("; sample data loaded (").append(samplePatients).append(" patients, Groups 'all' and 'small')");
		}
		if (demo && !adminPassword.isEmpty()) {
			line.append("; a bearer token: scripts/demo-token ").append(root);
			if (!"admin".equals(adminUser) || !AdminAccess.DEMO_PASSWORD.equals(adminPassword)) {
				line.append(" ").append(adminUser).append(":<password>");
			}
		}
		return line.toString();
	}
}
