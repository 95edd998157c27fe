package org.bulkfhir.lifecycle;

import ca.uhn.fhir.rest.server.ResourceBinding;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.method.BaseMethodBinding;
import ca.uhn.fhir.rest.server.method.OperationMethodBinding;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes our operations win over other providers' operations of the same name and level, such as
 * HAPI's own {@code BulkDataExportProvider} ({@code hapi.fhir.bulk_export_enabled}).
 *
 * <p>HAPI answers an operation with the first exact match in a {@link ResourceBinding}'s list,
 * and that list is newest first ({@code ResourceBinding.addMethod} pushes). Registering last is
 * therefore enough in the usual order, but a provider registered after ours would silently take
 * over; this moves our bindings back to the front. The other provider's remaining operations
 * (for HAPI: {@code $export-poll-status} and {@code Patient/[id]/$export}) stay reachable.
 */
final class OperationPrecedence {

	private OperationPrecedence() {}

	/**
	 * Puts the operation bindings of {@code ours} ahead of every overlapping binding of another
	 * provider; returns those other bindings (empty when nothing overlaps).
	 */
	static List<OperationMethodBinding> putFirst(RestfulServer server, Collection<?> ours) {
		List<OperationMethodBinding> overlapping = new ArrayList<>();
		for (List<BaseMethodBinding> bindings : allBindingLists(server)) {
			Set<OperationMethodBinding> others = overlappingOthers(bindings, ours);
			if (others.isEmpty()) {
				continue;
			}
			overlapping.addAll(others);
			List<BaseMethodBinding> reordered = new ArrayList<>(bindings.size());
			bindings.stream().filter(b -> isOurs(b, ours)).forEach(reordered::add);
			bindings.stream().filter(b -> !isOurs(b, ours)).forEach(reordered::add);
			if (!reordered.equals(bindings)) {
				bindings.clear();
				bindings.addAll(reordered);
			}
		}
		return overlapping;
	}

	private static List<List<BaseMethodBinding>> allBindingLists(RestfulServer server) {
		List<List<BaseMethodBinding>> lists = new ArrayList<>();
		lists.add(server.getServerBindings());
		for (ResourceBinding binding : server.getResourceBindings()) {
			lists.add(binding.getMethodBindings());
		}
		return lists;
	}

	private static Set<OperationMethodBinding> overlappingOthers(List<BaseMethodBinding> bindings, Collection<?> ours) {
		Set<OperationMethodBinding> result = new LinkedHashSet<>();
		for (BaseMethodBinding mine : bindings) {
			if (!(mine instanceof OperationMethodBinding myOperation) || !isOurs(mine, ours)) {
				continue;
			}
			for (BaseMethodBinding other : bindings) {
				if (other instanceof OperationMethodBinding otherOperation
						&& !isOurs(other, ours)
						&& overlap(myOperation, otherOperation)) {
					result.add(otherOperation);
				}
			}
		}
		return result;
	}

	private static boolean isOurs(BaseMethodBinding binding, Collection<?> ours) {
		return ours.stream().anyMatch(provider -> provider == binding.getProvider());
	}

	private static boolean overlap(OperationMethodBinding a, OperationMethodBinding b) {
		return a.getName().equals(b.getName())
				&& ((a.isCanOperateAtServerLevel() && b.isCanOperateAtServerLevel())
						|| (a.isCanOperateAtTypeLevel() && b.isCanOperateAtTypeLevel())
						|| (a.isCanOperateAtInstanceLevel() && b.isCanOperateAtInstanceLevel()));
	}
}
