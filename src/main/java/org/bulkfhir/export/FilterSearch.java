package org.bulkfhir.export;

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

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.bulkfhir.output.StoredResourceReader.batches;

/**
 * Applies {@code _typeFilter} queries with HAPI's own search engine, restricted to candidate
 * resources (by pid, HAPI's {@code _pid}), so any search parameter HAPI supports works in a filter.
 * Several filters for one type are alternatives (OR), as the Bulk Data IG says.
 */
public class FilterSearch {

	private final FhirContext fhirContext;
	private final DaoRegistry daoRegistry;
	private final MatchUrlService matchUrlService;

	public FilterSearch(
			FhirContext fhirContext, DaoRegistry daoRegistry, MatchUrlService matchUrlService) {
		this.fhirContext = fhirContext;
		this.daoRegistry = daoRegistry;
		this.matchUrlService = matchUrlService;
	}

	/** Parses a filter; throws HAPI's InvalidRequestException when it is not a valid search. */
	public SearchParameterMap parse(String filter) {
		String type = filter.substring(0, filter.indexOf('?'));
		return matchUrlService.translateMatchUrl(filter, fhirContext.getResourceDefinition(type));
	}

	/** Those of {@code candidates} (pids of one type) that match at least one of the filters, in pid order. */
	public List<Long> matching(String type, List<Long> candidates, List<String> filters) {
		if (filters.isEmpty() || candidates.isEmpty()) {
			return candidates;
		}
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
		return new ArrayList<>(matched);
	}
}
