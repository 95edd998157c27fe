package org.bulkfhir.lifecycle;

import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Adds our providers and interceptors to every HAPI {@link RestfulServer} of the host context,
 * whoever created it (our WAR, jpaserver-starter, a custom server). Runs once the context is
 * refreshed, so no HAPI bean has to be replaced. Where another provider serves the same operation
 * at the same level (HAPI's {@code BulkDataExportProvider} when {@code hapi.fhir.bulk_export_enabled}
 * is true), ours is made to answer, see {@link OperationPrecedence}.
 *
 * <p>Interceptors given here are server interceptors: they see requests to this RestfulServer
 * only. Hooks on storage pointcuts that must also fire inside batch2 jobs belong on HAPI's global
 * {@code IInterceptorService} instead.
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
		warnAboutOverlaps(server, OperationPrecedence.putFirst(server, providers));
	}

	private static void warnAboutOverlaps(RestfulServer server, List<OperationMethodBinding> overlapping) {
		Map<String, Set<String>> operationsByProvider = new TreeMap<>();
		for (OperationMethodBinding binding : overlapping) {
			operationsByProvider
					.computeIfAbsent(binding.getProvider().getClass().getName(), k -> new TreeSet<>())
					.add(where(binding));
		}
		operationsByProvider.forEach((provider, operations) -> LOG.warn(
				"{} on RestfulServer {} also serves {}; bulkfhir answers these requests, the provider's"
						+ " other operations stay reachable",
				provider,
				server.getServerName(),
				operations));
	}

	private static String where(OperationMethodBinding binding) {
		String resource = binding.getResourceName() == null ? "" : binding.getResourceName() + "/";
		String level = binding.isCanOperateAtInstanceLevel() ? "[id]/" : "";
		return resource + level + binding.getName();
	}
}
