package org.bulkfhir.config;

import ca.uhn.fhir.rest.server.RestfulServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

import java.util.List;

/**
 * Adds our providers and interceptors to every HAPI {@link RestfulServer} of the host context,
 * whoever created it (our WAR, jpaserver-starter, a custom server). Runs once the context is
 * refreshed, so no HAPI bean has to be replaced.
 */
public class RestfulServerRegistrar implements ApplicationListener<ContextRefreshedEvent> {

	private static final Logger LOG = LoggerFactory.getLogger(RestfulServerRegistrar.class);

	private final List<Object> providers;
	private final List<Object> interceptors;

	public RestfulServerRegistrar(List<Object> providers, List<Object> interceptors) {
		this.providers = providers;
		this.interceptors = interceptors;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		for (RestfulServer server :
				event.getApplicationContext().getBeansOfType(RestfulServer.class).values()) {
			register(server);
		}
	}

	public void register(RestfulServer server) {
		for (Object interceptor : interceptors) {
			if (!server.getInterceptorService().getAllRegisteredInterceptors().contains(interceptor)) {
				server.registerInterceptor(interceptor);
			}
		}
		List<Object> missing = providers.stream()
				.filter(p -> !server.getResourceProviders().contains(p)
						&& !server.getPlainProviders().contains(p))
				.toList();
		if (!missing.isEmpty()) {
			server.registerProviders(missing);
			LOG.info("bulkfhir registered {} providers on RestfulServer {}", missing.size(), server.getServerName());
		}
	}
}
