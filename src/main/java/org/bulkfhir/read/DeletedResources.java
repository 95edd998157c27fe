package org.bulkfhir.read;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The resources an incremental ({@code _since}) export lists as deleted (IG v2 manifest {@code deleted}):
 * those of the exported types whose version at the end of the export's window ({@code _until} or the
 * transaction time) is a deletion made after {@code _since}. A resource deleted later is still exported
 * as it was (the snapshot); one deleted and created again within the window is exported, not listed.
 */
public class DeletedResources {

	/** One deletion: the resource's type and FHIR id, and the pid to read its last version by. */
	public record Deletion(long pid, String type, String fhirId, long deletedAt) {}

	private final NamedParameterJdbcTemplate jdbc;
	private final StoredResourceReader reader;
	private final FhirContext fhirContext;

	public DeletedResources(NamedParameterJdbcTemplate jdbc, StoredResourceReader reader, FhirContext fhirContext) {
		this.jdbc = jdbc;
		this.reader = reader;
		this.fhirContext = fhirContext;
	}

	/**
	 * The deletions in {@code (since, until]} of {@code types} still in force at {@code until}: HAPI writes a
	 * delete as a new version with {@code RES_DELETED_AT} set ({@code IDX_RESVER_TYPE_DATE} finds them).
	 */
	public List<Deletion> deletedBetween(long since, long until, List<String> types) {
		List<Deletion> deletions = new ArrayList<>();
		if (types.isEmpty()) {
			return deletions;
		}
		jdbc.query("SELECT r.RES_ID, r.RES_TYPE, r.FHIR_ID, v.RES_UPDATED FROM HFJ_RES_VER v"
						+ " JOIN HFJ_RESOURCE r ON r.RES_ID = v.RES_ID"
						+ " WHERE v.RES_TYPE IN (:types) AND v.RES_UPDATED > :since AND v.RES_UPDATED <= :until"
						+ " AND v.RES_DELETED_AT IS NOT NULL"
						+ " AND v.RES_VER = (SELECT MAX(h.RES_VER) FROM HFJ_RES_VER h"
						+ " WHERE h.RES_ID = v.RES_ID AND h.RES_UPDATED <= :until)"
						+ " ORDER BY r.RES_ID",
				new MapSqlParameterSource("types", types)
						.addValue("since", new Timestamp(since))
						.addValue("until", new Timestamp(until)),
				rs -> {
					deletions.add(new Deletion(
							rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).getTime()));
				});
		return deletions;
	}

	/**
	 * The FHIR ids of the Patients whose compartment the resource was in just before it was deleted (HAPI
	 * keeps no links of a deleted resource): its last version, parsed, by the compartment's search
	 * parameters. A deleted Patient is its own compartment.
	 */
	public Set<String> compartmentOwnersBeforeDeletion(Deletion deletion) {
		Set<String> owners = new HashSet<>();
		if (deletion.type().equals("Patient")) {
			owners.add(deletion.fhirId());
			return owners;
		}
		long before = deletion.deletedAt() - 1;
		FhirTerser terser = fhirContext.newTerser();
		reader.read(List.of(deletion.pid()), new UpdatedWindow(null, before, before), stored -> {
			IBaseResource resource = fhirContext.newJsonParser().parseResource(stored.json());
			for (IIdType owner : terser.getCompartmentOwnersForResource("Patient", resource, (Set<String>) null)) {
				if ("Patient".equals(owner.getResourceType()) && owner.hasIdPart()) {
					owners.add(owner.getIdPart());
				}
			}
		}, failure -> {});
		return owners;
	}
}
