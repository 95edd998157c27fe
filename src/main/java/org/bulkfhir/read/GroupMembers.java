package org.bulkfhir.read;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;

import ca.uhn.fhir.context.FhirContext;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads a Group and lists its active Patient members. */
public class GroupMembers {

	private final DaoRegistry daoRegistry;
	private final NamedParameterJdbcTemplate jdbc;
	private final StoredResourceReader reader;
	private final FhirContext fhirContext;

	public GroupMembers(
			DaoRegistry daoRegistry, NamedParameterJdbcTemplate jdbc, StoredResourceReader reader, FhirContext fhirContext) {
		this.daoRegistry = daoRegistry;
		this.jdbc = jdbc;
		this.reader = reader;
		this.fhirContext = fhirContext;
	}

	/** Reads the Group; HAPI's ResourceNotFoundException (404) or ResourceGoneException (410) if it is not there. */
	public Group read(String groupId) {
		IIdType id = new IdType("Group", groupId);
		return (Group) daoRegistry.getResourceDao("Group").read(id, new SystemRequestDetails());
	}

	/**
	 * The Group as it was at {@code asOf} (the export's transaction time), from its history when it changed
	 * since; HAPI's read (404, 410) when it had no version then.
	 */
	public Group readAt(String groupId, long asOf) {
		List<Long> pids = jdbc.queryForList("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Group' AND FHIR_ID = :id",
				new MapSqlParameterSource("id", groupId), Long.class);
		List<String> json = new ArrayList<>();
		reader.read(pids, new UpdatedWindow(null, asOf, asOf), stored -> json.add(stored.json()), failure -> {});
		return json.isEmpty() ? read(groupId) : fhirContext.newJsonParser().parseResource(Group.class, json.get(0));
	}

	/** FHIR ids of the Patients in {@code member.entity} at {@code asOf}, leaving out members marked inactive. */
	public Set<String> activePatientIds(String groupId, long asOf) {
		return activePatientIds(readAt(groupId, asOf));
	}

	/**
	 * The active Patient members at an earlier instant ({@code _since}): none when the Group had no version
	 * then (not yet created, or deleted), so that every member counts as joined after it.
	 */
	public Set<String> activePatientIdsIfExisted(String groupId, long at) {
		List<Long> pids = jdbc.queryForList("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Group' AND FHIR_ID = :id",
				new MapSqlParameterSource("id", groupId), Long.class);
		List<String> json = new ArrayList<>();
		reader.read(pids, new UpdatedWindow(null, at, at), stored -> json.add(stored.json()), failure -> {});
		return json.isEmpty()
				? new LinkedHashSet<>()
				: activePatientIds(fhirContext.newJsonParser().parseResource(Group.class, json.get(0)));
	}

	private static Set<String> activePatientIds(Group group) {
		Set<String> ids = new LinkedHashSet<>();
		for (Group.GroupMemberComponent member : group.getMember()) {
			if (member.getInactive() || !member.hasEntity()) {
				continue;
			}
			IIdType ref = member.getEntity().getReferenceElement();
			if ("Patient".equals(ref.getResourceType()) && ref.hasIdPart()) {
				ids.add(ref.getIdPart());
			}
		}
		return ids;
	}
}
