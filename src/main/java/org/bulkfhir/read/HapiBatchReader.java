package org.bulkfhir.read;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.entity.ResourceHistoryTable;
import ca.uhn.fhir.jpa.search.BatchResourceLoader;
import ca.uhn.fhir.parser.IParser;
import jakarta.persistence.EntityManager;
import org.bulkfhir.read.StoredResourceReader.FailedResource;
import org.bulkfhir.read.StoredResourceReader.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The resources whose stored form the reader cannot splice (compressed or externally stored bodies,
 * a {@code meta} kept in the stored text, anything unexpected), read the way HAPI's search reads a
 * page of results: their versions loaded in one query ({@code HFJ_RES_VER} by version pid, with their
 * {@code HFJ_RESOURCE} rows), then HAPI's {@link BatchResourceLoader} (tags of the whole batch in one
 * query, parsing, meta, source, sorting), encoded by HAPI's JSON parser.
 */
public class HapiBatchReader {

	private static final String VERSIONS_BY_PID = "SELECT v FROM ResourceHistoryTable v JOIN FETCH v.myResourceTable"
			+ " WHERE v.myId.myVersionId IN (:versionPids)";

	private final EntityManager entityManager;
	private final BatchResourceLoader loader;
	private final IHapiTransactionService transactions;
	private final FhirContext fhirContext;

	public HapiBatchReader(
			EntityManager entityManager,
			BatchResourceLoader loader,
			IHapiTransactionService transactions,
			FhirContext fhirContext) {
		this.entityManager = entityManager;
		this.loader = loader;
		this.transactions = transactions;
		this.fhirContext = fhirContext;
	}

	/** A stored version to read through HAPI: the resource's pid and type, and the version's pid. */
	public record Version(long pid, String type, long versionPid) {}

	/**
	 * Reads the given versions, in their order, into {@code sink}; a version HAPI cannot read goes to
	 * {@code failures}. One query and one HAPI batch load for all of them; only when that load fails
	 * (a body HAPI cannot parse) are they loaded one by one, to tell the broken ones from the others.
	 */
	public void read(List<Version> versions, Consumer<StoredResource> sink, Consumer<FailedResource> failures) {
		if (versions.isEmpty()) {
			return;
		}
		Map<Long, Encoded> encoded;
		try {
			encoded = load(versions);
		} catch (RuntimeException batchFailed) {
			encoded = new HashMap<>();
			for (Version version : versions) {
				try {
					encoded.putAll(load(List.of(version)));
				} catch (RuntimeException e) {
					failures.accept(new FailedResource(version.pid(), version.type(), message(e)));
					encoded.put(version.pid(), null);
				}
			}
		}
		for (Version version : versions) {
			if (!encoded.containsKey(version.pid())) {
				failures.accept(new FailedResource(version.pid(), version.type(), "no stored version " + version.versionPid()));
				continue;
			}
			Encoded resource = encoded.get(version.pid());
			if (resource != null) {
				sink.accept(new StoredResource(version.pid(), version.type(), resource.fhirId(), resource.json()));
			}
		}
	}

	private record Encoded(String fhirId, String json) {}

	/** pid → the encoded resource of each version found (null for a deleted one, which is not exported). */
	private Map<Long, Encoded> load(List<Version> versions) {
		List<Long> versionPids = versions.stream().map(Version::versionPid).toList();
		return transactions.withSystemRequest().readOnly().execute(() -> {
			List<ResourceHistoryTable> entities = entityManager
					.createQuery(VERSIONS_BY_PID, ResourceHistoryTable.class)
					.setParameter("versionPids", versionPids)
					.getResultList();
			Map<Long, Encoded> result = new HashMap<>();
			IParser parser = fhirContext.newJsonParser();
			for (BatchResourceLoader.ResourceLoadResult loaded : loader.loadResources(entities, false)) {
				IBaseResource resource = loaded.resource();
				result.put(loaded.pid().getId(), loaded.isDeleted() || resource == null
						? null
						: new Encoded(resource.getIdElement().getIdPart(), parser.encodeResourceToString(resource)));
			}
			return result;
		});
	}

	private static String message(RuntimeException e) {
		Throwable cause = e;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause == e ? e.getMessage() : e.getMessage() + ": " + cause.getMessage();
	}

}
