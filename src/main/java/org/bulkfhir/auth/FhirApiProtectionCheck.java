package org.bulkfhir.auth;

import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Says at start-up, loudly, when patient data can leave the server without a token: authorization
 * switched off altogether, or the FHIR API of a host left open (neither our protection nor an
 * {@link AuthorizationInterceptor} of the host's own on its RestfulServer).
 */
public class FhirApiProtectionCheck implements ApplicationListener<ContextRefreshedEvent> {

	private static final Logger LOG = LoggerFactory.getLogger(FhirApiProtectionCheck.class);

	private final boolean authEnabled;
	private final boolean protectFhirApi;

	public FhirApiProtectionCheck(boolean authEnabled, boolean protectFhirApi) {
		this.authEnabled = authEnabled;
		this.protectFhirApi = protectFhirApi;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		if (!authEnabled) {
			LOG.warn("bulkfhir.auth.enabled=false: no access token is needed for bulk export or the FHIR API;"
					+ " anyone who reaches this server can export all of its data. Use only in closed test set-ups.");
			return;
		}
		if (protectFhirApi) {
			return;
		}
		for (RestfulServer server : event.getApplicationContext().getBeansOfType(RestfulServer.class).values()) {
			boolean hostAuthorizes = server.getInterceptorService().getAllRegisteredInterceptors().stream()
					.anyMatch(AuthorizationInterceptor.class::isInstance);
			if (!hostAuthorizes) {
				LOG.warn("RestfulServer {} has no AuthorizationInterceptor: bulk export needs a token, but its other"
								+ " FHIR endpoints answer without one. Set bulkfhir.auth.protect-fhir-api=true to require"
								+ " SMART Backend Services tokens on every FHIR interaction (see docs/security.md).",
						server.getServerName());
			}
		}
	}
}
