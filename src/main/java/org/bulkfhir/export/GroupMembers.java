package org.bulkfhir.export;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;

import java.util.LinkedHashSet;
import java.util.Set;

/** Reads a Group and lists its active Patient members. */
public class GroupMembers {

	private final DaoRegistry daoRegistry;

	public GroupMembers(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
	}

	/** Reads the Group; HAPI's ResourceNotFoundException (404) or ResourceGoneException (410) if it is not there. */
	public Group read(String groupId) {
		IIdType id = new IdType("Group", groupId);
		return (Group) daoRegistry.getResourceDao("Group").read(id, new SystemRequestDetails());
	}

	/** FHIR ids of the Patients in {@code member.entity}, leaving out members marked inactive. */
	public Set<String> activePatientIds(String groupId) {
		Set<String> ids = new LinkedHashSet<>();
		for (Group.GroupMemberComponent member : read(groupId).getMember()) {
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
