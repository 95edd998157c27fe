package org.bulkfhir.read;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.bulkfhir.read.StoredResourceReader.batches;

/**
 * What HAPI's indexes cannot tell about the export's transaction time: the resources changed since.
 *
 * <p>The export reads each resource in its version at the transaction time ({@link StoredResourceReader}),
 * but finds resources through HAPI's current indexes: {@code HFJ_RES_LINK} holds the references of each
 * resource's current version only, and none of a deleted resource. For the resources changed after the
 * transaction time (updated, deleted or created: {@code HFJ_RESOURCE.RES_UPDATED} later; HAPI's
 * {@code IDX_RES_DATE} index finds them), their version at that time is read and parsed, and what the
 * export needs of it is kept: the Patients whose compartment it is in (the Patient compartment's search
 * parameters, as {@link FhirTerser#getCompartmentOwnersForResource} evaluates them), the resources it
 * references, and, for a Provenance, its targets. Every lookup of the export takes the current indexes for
 * the resources not changed and these facts for the changed ones.
 *
 * <p>Correct whatever is written meanwhile, as long as {@link #view} is asked after the index lookups it
 * corrects: a resource whose index rows changed before the view was taken is in it, and one changed later
 * still had, when the index was read, the rows it had at the transaction time. A version at a given
 * time never changes, so what was learned of a resource is kept per job (for the few most recent jobs)
 * and each work chunk parses only what changed since the previous one.
 */
public class Snapshot {

	private static final int JOBS_KEPT = 8;

	/** A resource's version at the transaction time, as far as the export's lookups need it. */
	public record VersionAt(
			long pid, String type, long updated, Set<Long> patients, Map<String, Set<Long>> references, Set<Long> targets) {}

	private final NamedParameterJdbcTemplate jdbc;
	private final StoredResourceReader reader;
	private final FhirContext fhirContext;
	private final PatientCompartment compartment;
	/** jobId → pid → its version at the job's transaction time (empty: none, or deleted). */
	private final Map<String, Map<Long, Optional<VersionAt>>> jobs =
			new LinkedHashMap<>(16, 0.75f, true) {
				@Override
				protected boolean removeEldestEntry(Map.Entry<String, Map<Long, Optional<VersionAt>>> eldest) {
					return size() > JOBS_KEPT;
				}
			};

	public Snapshot(
			NamedParameterJdbcTemplate jdbc, StoredResourceReader reader, FhirContext fhirContext,
			PatientCompartment compartment) {
		this.jdbc = jdbc;
		this.reader = reader;
		this.fhirContext = fhirContext;
		this.compartment = compartment;
	}

	/** The resources changed after the job's transaction time, as of now, with their versions at that time. */
	public View view(String jobId, long asOf) {
		Map<Long, String> changed = new HashMap<>();
		jdbc.query("SELECT RES_ID, RES_TYPE FROM HFJ_RESOURCE WHERE RES_UPDATED > :asOf",
				new MapSqlParameterSource("asOf", new Timestamp(asOf)),
				rs -> {
					changed.put(rs.getLong(1), rs.getString(2));
				});
		if (changed.isEmpty()) {
			return new View(Map.of());
		}
		Map<Long, Optional<VersionAt>> known;
		synchronized (jobs) {
			known = jobs.computeIfAbsent(jobId, id -> new HashMap<>());
		}
		Map<Long, Optional<VersionAt>> result = new HashMap<>();
		List<Long> unknown = new ArrayList<>();
		synchronized (known) {
			for (Long pid : changed.keySet()) {
				Optional<VersionAt> version = known.get(pid);
				if (version == null) {
					unknown.add(pid);
				} else {
					result.put(pid, version);
				}
			}
		}
		if (!unknown.isEmpty()) {
			unknown.sort(null);
			Map<Long, Optional<VersionAt>> read = read(unknown, asOf);
			synchronized (known) {
				known.putAll(read);
			}
			result.putAll(read);
		}
		return new View(result);
	}

	/** Reads and parses the versions at {@code asOf}; resolves the references they hold to pids. */
	private Map<Long, Optional<VersionAt>> read(List<Long> pids, long asOf) {
		Map<Long, Optional<VersionAt>> result = new HashMap<>();
		pids.forEach(pid -> result.put(pid, Optional.empty()));
		IParser parser = fhirContext.newJsonParser();
		FhirTerser terser = fhirContext.newTerser();
		record Parsed(long pid, String type, long updated, Set<String> owners, Set<String> references, Set<String> targets) {}
		List<Parsed> parsed = new ArrayList<>();
		reader.read(pids, new UpdatedWindow(null, asOf, asOf), stored -> {
			IBaseResource resource = parser.parseResource(stored.json());
			Set<String> owners = new HashSet<>();
			if (compartment.contains(stored.type())) {
				for (IIdType owner : terser.getCompartmentOwnersForResource("Patient", resource, (Set<String>) null)) {
					if ("Patient".equals(owner.getResourceType()) && owner.hasIdPart()) {
						owners.add("Patient/" + owner.getIdPart());
					}
				}
			}
			Set<String> references = new HashSet<>();
			for (var info : terser.getAllResourceReferences(resource)) {
				add(references, info.getResourceReference());
			}
			Set<String> targets = new HashSet<>();
			if (resource instanceof Provenance provenance) {
				for (Reference target : provenance.getTarget()) {
					add(targets, target);
				}
			}
			long updated = resource.getMeta().getLastUpdated().getTime();
			parsed.add(new Parsed(stored.pid(), stored.type(), updated, owners, references, targets));
		}, failure -> {});
		Set<String> all = new HashSet<>();
		for (Parsed p : parsed) {
			all.addAll(p.owners);
			all.addAll(p.references);
			all.addAll(p.targets);
		}
		Map<String, Long> pidOf = resolve(all);
		for (Parsed p : parsed) {
			Set<Long> patients = new TreeSet<>();
			p.owners.forEach(ref -> add(patients, pidOf.get(ref)));
			Map<String, Set<Long>> references = new TreeMap<>();
			p.references.forEach(ref -> {
				Long pid = pidOf.get(ref);
				if (pid != null) {
					references.computeIfAbsent(ref.substring(0, ref.indexOf('/')), t -> new TreeSet<>()).add(pid);
				}
			});
			Set<Long> targets = new TreeSet<>();
			p.targets.forEach(ref -> add(targets, pidOf.get(ref)));
			result.put(p.pid, Optional.of(new VersionAt(p.pid, p.type, p.updated, patients, references, targets)));
		}
		return result;
	}

	private static void add(Set<Long> pids, Long pid) {
		if (pid != null) {
			pids.add(pid);
		}
	}

	/** "Type/id" of a reference to a resource on this server, as HAPI indexes it; others are ignored. */
	private static void add(Set<String> refs, IBaseReference reference) {
		IIdType id = reference.getReferenceElement();
		if (id != null && id.hasResourceType() && id.hasIdPart() && !id.hasBaseUrl() && !id.isLocal()) {
			refs.add(id.getResourceType() + "/" + id.getIdPart());
		}
	}

	/** "Type/id" → pid, deleted resources included (they may have been live at the transaction time). */
	private Map<String, Long> resolve(Collection<String> refs) {
		Map<String, List<String>> idsByType = new TreeMap<>();
		for (String ref : refs) {
			int slash = ref.indexOf('/');
			idsByType.computeIfAbsent(ref.substring(0, slash), t -> new ArrayList<>()).add(ref.substring(slash + 1));
		}
		Map<String, Long> pids = new HashMap<>();
		idsByType.forEach((type, ids) -> {
			for (List<String> batch : batches(ids)) {
				jdbc.query("SELECT RES_ID, FHIR_ID FROM HFJ_RESOURCE WHERE RES_TYPE = :type AND FHIR_ID IN (:ids)",
						new MapSqlParameterSource("type", type).addValue("ids", batch),
						rs -> {
							pids.put(type + "/" + rs.getString(2), rs.getLong(1));
						});
			}
		});
		return pids;
	}

	/** The resources changed after the transaction time, seen at one moment. */
	public static final class View {

		private final Map<Long, Optional<VersionAt>> changed;

		View(Map<Long, Optional<VersionAt>> changed) {
			this.changed = changed;
		}

		/** Changed after the transaction time: HAPI's indexes do not describe its version at that time. */
		public boolean isChanged(long pid) {
			return changed.containsKey(pid);
		}

		public boolean isEmpty() {
			return changed.isEmpty();
		}

		/** Those of {@code pids} that did not change: HAPI's indexes describe them as they were. */
		public List<Long> unchanged(Collection<Long> pids) {
			if (changed.isEmpty()) {
				return pids instanceof List<Long> list ? list : new ArrayList<>(pids);
			}
			return pids.stream().filter(pid -> !changed.containsKey(pid)).toList();
		}

		/** Those of {@code pids} that changed, with a version at the transaction time. */
		public List<VersionAt> versions(Collection<Long> pids) {
			if (changed.isEmpty()) {
				return List.of();
			}
			List<VersionAt> versions = new ArrayList<>();
			for (Long pid : pids) {
				Optional<VersionAt> version = changed.get(pid);
				if (version != null && version.isPresent()) {
					versions.add(version.get());
				}
			}
			return versions;
		}

		/**
		 * Corrects compartment candidates found in the current {@code HFJ_RES_LINK} ({@code byType}, of
		 * {@code types}): a changed resource is a member when its version at the transaction time is in the
		 * compartment of one of {@code patients}, and only then.
		 */
		public void correctMembers(Map<String, TreeSet<Long>> byType, Collection<Long> patients, Set<String> types) {
			if (changed.isEmpty()) {
				return;
			}
			byType.values().forEach(pids -> pids.removeIf(changed::containsKey));
			Set<Long> wanted = patients instanceof Set<Long> set ? set : new HashSet<>(patients);
			for (Optional<VersionAt> entry : changed.values()) {
				if (entry.isEmpty() || !types.contains(entry.get().type())) {
					continue;
				}
				VersionAt version = entry.get();
				if (version.patients().stream().anyMatch(wanted::contains)) {
					byType.computeIfAbsent(version.type(), t -> new TreeSet<>()).add(version.pid());
				}
			}
			byType.values().removeIf(Set::isEmpty);
		}

		/** Of the changed among {@code pids}: those in more than one Patient's compartment at the transaction time. */
		public Set<Long> inSeveralCompartments(Collection<Long> pids) {
			Set<Long> several = new HashSet<>();
			for (VersionAt version : versions(pids)) {
				if (version.patients().size() > 1) {
					several.add(version.pid());
				}
			}
			return several;
		}

		/** Adds what the changed among {@code sources} referenced, of {@code types}, at the transaction time. */
		public void addReferences(Collection<Long> sources, Collection<String> types, Map<String, TreeSet<Long>> into) {
			for (VersionAt version : versions(sources)) {
				version.references().forEach((type, pids) -> {
					if (types.contains(type)) {
						into.computeIfAbsent(type, t -> new TreeSet<>()).addAll(pids);
					}
				});
			}
		}

		/** The changed Provenance: those whose version at the transaction time targets one of {@code targets}. */
		public List<ExportQueries.ProvenanceLink> provenanceTargeting(Set<Long> targets, UpdatedWindow window) {
			List<ExportQueries.ProvenanceLink> links = new ArrayList<>();
			for (Optional<VersionAt> entry : changed.values()) {
				if (entry.isEmpty() || !entry.get().type().equals("Provenance")
						|| !window.contains(entry.get().updated())) {
					continue;
				}
				VersionAt version = entry.get();
				for (Long target : version.targets()) {
					if (targets.contains(target)) {
						links.add(new ExportQueries.ProvenanceLink(version.pid(), target, version.updated()));
					}
				}
			}
			return links;
		}

		/** How many targets a changed Provenance had at the transaction time. */
		public int targetCount(long provenancePid) {
			Optional<VersionAt> version = changed.get(provenancePid);
			return version == null || version.isEmpty() ? 0 : version.get().targets().size();
		}
	}
}
