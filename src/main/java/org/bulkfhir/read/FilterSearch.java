package org.bulkfhir.read;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.storage.IResourcePersistentId;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;

import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryMatchResult;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryResourceMatcher;
import ca.uhn.fhir.parser.IParser;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.List;
import java.util.TreeSet;

import static org.bulkfhir.read.StoredResourceReader.batches;

/**
 * Applies {@code _typeFilter} queries with HAPI's own search engine, restricted to candidate
 * resources (by pid, HAPI's {@code _pid}), so any search parameter HAPI supports works in a filter.
 * Several filters for one type are alternatives (OR), as the Bulk Data IG says.
 */
public class FilterSearch {

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final MatchUrlService matchUrlService;
	private final StoredResourceReader reader;
	private final InMemoryResourceMatcher inMemoryMatcher;

	public FilterSearch(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			MatchUrlService matchUrlService,
			StoredResourceReader reader,
			InMemoryResourceMatcher inMemoryMatcher) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.matchUrlService = matchUrlService;
		this.reader = reader;
		this.inMemoryMatcher = inMemoryMatcher;
	}

	/** Parses a filter; throws HAPI's InvalidRequestException when it is not a valid search. */
	public SearchParameterMap parse(String filter) {
		String type = filter.substring(0, filter.indexOf('?'));
		return matchUrlService.translateMatchUrl(filter, fhirContext.getResourceDefinition(type));
	}

	/**
	 * Those of {@code candidates} (pids of one type) that match at least one of the filters, in pid order,
	 * as the resources were at the window's snapshot time. HAPI's search sees current data: it decides for
	 * the resources not changed since; a resource changed since (in the {@code views} taken after the
	 * search) is matched by HAPI's {@link InMemoryResourceMatcher} on its version at that time, or, for a
	 * filter the matcher cannot evaluate (chained parameters, {@code _has}, ...), by the search's answer on
	 * its current version.
	 */
	public List<Long> matching(
			String type, List<Long> candidates, List<String> filters, Supplier<Snapshot.View> views, UpdatedWindow window) {
		if (filters.isEmpty() || candidates.isEmpty()) {
			return candidates;
		}
		TreeSet<Long> matched = new TreeSet<>(search(type, candidates, filters));
		Snapshot.View changed = views.get();
		List<Long> changedCandidates = candidates.stream().filter(changed::isChanged).toList();
		if (changedCandidates.isEmpty()) {
			return new ArrayList<>(matched);
		}
		Map<Long, IBaseResource> versions = new HashMap<>();
		IParser parser = fhirContext.newJsonParser();
		reader.read(changedCandidates, new UpdatedWindow(null, window.asOf(), window.asOf()),
				stored -> versions.put(stored.pid(), parser.parseResource(stored.json())), failure -> {});
		for (Long pid : changedCandidates) {
			IBaseResource version = versions.get(pid);
			if (version == null) {
				matched.remove(pid); // no version at that time: not exported anyway
				continue;
			}
			Boolean inMemory = matchesInMemory(version, filters);
			if (inMemory != null) {
				if (inMemory) {
					matched.add(pid);
				} else {
					matched.remove(pid);
				}
			}
		}
		return new ArrayList<>(matched);
	}

	/** Whether the resource matches one of the filters; null when one the matcher cannot evaluate decides. */
	private Boolean matchesInMemory(IBaseResource resource, List<String> filters) {
		boolean unsupported = false;
		for (String filter : filters) {
			InMemoryMatchResult result = inMemoryMatcher.match(filter, resource, null, new SystemRequestDetails());
			if (!result.supported()) {
				unsupported = true;
			} else if (result.matched()) {
				return true;
			}
		}
		return unsupported ? null : false;
	}

	private TreeSet<Long> search(String type, List<Long> candidates, List<String> filters) {
		IFhirResourceDao<?> dao = daoRegistry.getResourceDao(type);
		TreeSet<Long> matched = new TreeSet<>();
		for (List<Long> batch : batches(candidates)) {
			for (String filter : filters) {
				SearchParameterMap map = parse(filter);
				map.setLoadSynchronous(true);
				// Restricted by pid (HAPI's _pid): no FHIR id of a candidate needs resolving.
				TokenOrListParam pidParam = new TokenOrListParam();
				batch.forEach(pid -> pidParam.addOr(new TokenParam(Long.toString(pid))));
				map.add(Constants.PARAM_PID, pidParam);
				List<IResourcePersistentId> found = dao.searchForIds(map, new SystemRequestDetails());
				for (IResourcePersistentId pid : found) {
					matched.add(((JpaPid) pid).getId());
				}
			}
		}
		return matched;
	}
}
