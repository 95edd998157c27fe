package org.bulkfhir.read;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;

import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a Group and lists its active Patient members.
 *
 * <p>The members come from the Group's stored JSON through Jackson's streaming parser
 * ({@link #activePatientIds(String)}), not from HAPI's model: an export reads its Group two or three
 * times (kick-off audit, plan), and HAPI's parser builds a tree of the whole Group and then its model
 * objects, a few thousand per hundred members. On a server just started, that parse and the JIT
 * compiling HAPI's parser for it were a large part of the first exports' CPU (on PostgreSQL, about
 * 2 of 6.6 CPU-s of compilation during four Group exports of 1,000 members).
 */
public class GroupMembers {

	private static final JsonFactory JSON = new JsonFactory();

	private final DaoRegistry daoRegistry;
	private final NamedParameterJdbcTemplate jdbc;
	private final StoredResourceReader reader;

	public GroupMembers(DaoRegistry daoRegistry, NamedParameterJdbcTemplate jdbc, StoredResourceReader reader) {
		this.daoRegistry = daoRegistry;
		this.jdbc = jdbc;
		this.reader = reader;
	}

	/** Reads the Group; HAPI's ResourceNotFoundException (404) or ResourceGoneException (410) if it is not there. */
	public Group read(String groupId) {
		IIdType id = new IdType("Group", groupId);
		return (Group) daoRegistry.getResourceDao("Group").read(id, new SystemRequestDetails());
	}

	/**
	 * Checks that the Group exists and is not deleted; HAPI's read answers (404, 410) when it is not.
	 * A live Group is only looked up, not read.
	 */
	public void requireExists(String groupId) {
		Integer live = jdbc.queryForObject(
				"SELECT COUNT(*) FROM HFJ_RESOURCE WHERE RES_TYPE = 'Group' AND FHIR_ID = :id AND RES_DELETED_AT IS NULL",
				new MapSqlParameterSource("id", groupId),
				Integer.class);
		if (live == null || live == 0) {
			read(groupId);
		}
	}

	/** FHIR ids of the Patients in {@code member.entity} at {@code asOf}, leaving out members marked inactive. */
	public Set<String> activePatientIds(String groupId, long asOf) {
		String json = storedAt(groupId, asOf);
		return json == null ? activePatientIds(read(groupId)) : activePatientIds(json);
	}

	/**
	 * The active Patient members at an earlier instant ({@code _since}): none when the Group had no version
	 * then (not yet created, or deleted), so that every member counts as joined after it.
	 */
	public Set<String> activePatientIdsIfExisted(String groupId, long at) {
		String json = storedAt(groupId, at);
		return json == null ? new LinkedHashSet<>() : activePatientIds(json);
	}

	/**
	 * The Group's JSON in its version at {@code asOf} (the export's transaction time), from its history
	 * when it changed since, as an export writes it; null when it had no version then.
	 */
	private String storedAt(String groupId, long asOf) {
		List<Long> pids = jdbc.queryForList("SELECT RES_ID FROM HFJ_RESOURCE WHERE RES_TYPE = 'Group' AND FHIR_ID = :id",
				new MapSqlParameterSource("id", groupId), Long.class);
		List<String> json = new ArrayList<>();
		reader.read(pids, new UpdatedWindow(null, asOf, asOf), stored -> json.add(stored.json()), failure -> {});
		return json.isEmpty() ? null : json.get(0);
	}

	/** The active Patient members of a Group in HAPI's model. */
	static Set<String> activePatientIds(Group group) {
		Set<String> ids = new LinkedHashSet<>();
		for (Group.GroupMemberComponent member : group.getMember()) {
			// getInactive() throws on an inactive element holding only extensions: no value is not inactive.
			if (Boolean.TRUE.equals(member.getInactiveElement().getValue()) || !member.hasEntity()) {
				continue;
			}
			addPatient(member.getEntity().getReference(), ids);
		}
		return ids;
	}

	/**
	 * The active Patient members of a Group's JSON, as {@link #activePatientIds(Group)} finds them in
	 * HAPI's model: each {@code member} not {@code inactive: true} whose {@code entity.reference} names a
	 * Patient with an id (relative, absolute or with {@code _history}, as HAPI's {@link IdType} reads it).
	 */
	static Set<String> activePatientIds(String json) {
		Set<String> ids = new LinkedHashSet<>();
		try (JsonParser parser = JSON.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IllegalArgumentException("A Group's JSON is an object");
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("member".equals(field) && value == JsonToken.START_ARRAY) {
					while (parser.nextToken() == JsonToken.START_OBJECT) {
						member(parser, ids);
					}
				} else {
					parser.skipChildren();
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Unreadable Group JSON: " + e.getMessage(), e);
		}
		return ids;
	}

	/** One member object, the parser on its START_OBJECT; leaves it on the member's END_OBJECT. */
	private static void member(JsonParser parser, Set<String> ids) throws IOException {
		String reference = null;
		boolean inactive = false;
		while (parser.nextToken() == JsonToken.FIELD_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			if ("entity".equals(field) && value == JsonToken.START_OBJECT) {
				while (parser.nextToken() == JsonToken.FIELD_NAME) {
					String entityField = parser.currentName();
					if (parser.nextToken() == JsonToken.VALUE_STRING && "reference".equals(entityField)) {
						reference = parser.getText();
					} else {
						parser.skipChildren();
					}
				}
			} else if ("inactive".equals(field)) {
				inactive = value == JsonToken.VALUE_TRUE;
			} else {
				parser.skipChildren();
			}
		}
		if (!inactive) {
			addPatient(reference, ids);
		}
	}

	private static void addPatient(String reference, Set<String> ids) {
		if (reference == null || reference.isEmpty()) {
			return;
		}
		IdType ref = new IdType(reference);
		if ("Patient".equals(ref.getResourceType()) && ref.hasIdPart()) {
			ids.add(ref.getIdPart());
		}
	}
}
