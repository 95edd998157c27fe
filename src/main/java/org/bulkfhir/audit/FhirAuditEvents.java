package org.bulkfhir.audit;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * With {@code bulkfhir.audit.fhir-audit-events=true}: a copy of every completed audit entry as a
 * FHIR {@code AuditEvent} in HAPI, shaped after IHE Basic Audit Log Patterns (BALP): type and
 * subtype of the interaction, the requesting agent with its network address and the server as the
 * other agent, the server as source, the job, Group, query and file as entities. No Patient is
 * referenced. Written in the background (one thread, at most {@value #QUEUE} waiting): the
 * {@code BF_AUDIT} entry is the record of authority, written first; a copy that cannot be written
 * is logged at ERROR.
 */
public class FhirAuditEvents implements Consumer<AuditEntry> {

	static final int QUEUE = 10_000;
	private static final Logger LOG = LoggerFactory.getLogger(FhirAuditEvents.class);
	private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
	private static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
	private static final String INTERACTION = "http://hl7.org/fhir/restful-interaction";
	private static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
	private static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
	static final String ID_SYSTEM = "urn:bulkfhir:";

	private final DaoRegistry daoRegistry;
	private final ThreadPoolExecutor executor;

	public FhirAuditEvents(DaoRegistry daoRegistry) {
		this.daoRegistry = daoRegistry;
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
			Thread thread = new Thread(r, "bulkfhir-audit-events");
			thread.setDaemon(true);
			return thread;
		});
	}

	@Override
	public void accept(AuditEntry entry) {
		try {
			executor.execute(() -> write(entry));
		} catch (RejectedExecutionException e) {
			LOG.error("AuditEvent copy of audit entry {} not written: {} copies are waiting already", entry.id(), QUEUE);
		}
	}

	public void shutdown() {
		executor.shutdown();
	}

	private void write(AuditEntry entry) {
		try {
			daoRegistry.getResourceDao("AuditEvent").create(toAuditEvent(entry), new SystemRequestDetails());
		} catch (RuntimeException e) {
			LOG.error("AuditEvent copy of audit entry {} not written: {}", entry.id(), e.toString());
		}
	}

	static AuditEvent toAuditEvent(AuditEntry e) {
		AuditEvent event = new AuditEvent();
		event.setRecorded(Date.from(e.at));
		String[] kind = kind(e.action);
		event.setType(new Coding(kind[0], kind[1], kind[2]));
		event.addSubtype(new Coding(kind[3], kind[4], kind[5]));
		event.addSubtype(new Coding(ID_SYSTEM + "action", e.action, null));
		event.setAction(AuditEvent.AuditEventAction.fromCode(kind[6]));
		event.setOutcome(switch (e.outcome) {
			case AuditEntry.OUTCOME_SUCCESS -> AuditEvent.AuditEventOutcome._0;
			case AuditEntry.OUTCOME_REFUSED -> AuditEvent.AuditEventOutcome._4;
			default -> AuditEvent.AuditEventOutcome._8;
		});
		String description = (e.status == null ? "" : "HTTP " + e.status) + (e.reason == null ? "" : ": " + e.reason);
		if (!description.isEmpty()) {
			event.setOutcomeDesc(description);
		}

		AuditEvent.AuditEventAgentComponent requestor = event.addAgent().setRequestor(true);
		if (AuditEntry.ACTOR_ADMIN.equals(e.actorType)) {
			requestor.getType().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/extra-security-role-type",
					"humanuser", "human user"));
		} else {
			requestor.getType().addCoding(new Coding(DCM, "110153", "Source Role ID"));
		}
		requestor.setWho(new Reference().setIdentifier(new Identifier()
				.setSystem(ID_SYSTEM + (e.actorType == null ? "anonymous" : e.actorType))
				.setValue(e.actor == null ? "anonymous" : e.actor)));
		if (e.address != null) {
			requestor.getNetwork().setAddress(e.address).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		AuditEvent.AuditEventAgentComponent server = event.addAgent().setRequestor(false);
		server.getType().addCoding(new Coding(DCM, "110152", "Destination Role ID"));
		server.setWho(new Reference().setDisplay("bulkfhir"));
		event.getSource().setObserver(new Reference().setDisplay("bulkfhir"))
				.addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
						"Application Server"));

		if (e.clientId != null && !e.clientId.equals(e.actor)) {
			entity(event, "1", "client", e.clientId);
		}
		if (e.jobId != null) {
			entity(event, "2", "export-job", e.jobId);
		}
		if (e.groupId != null) {
			AuditEvent.AuditEventEntityComponent group = event.addEntity()
					.setWhat(new Reference("Group/" + e.groupId))
					.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
					.setRole(new Coding(OBJECT_ROLE, "4", "Domain Resource"));
			if (e.patients != null) {
				group.addDetail().setType("patients").setValue(new org.hl7.fhir.r4.model.StringType(
						Integer.toString(e.patients)));
			}
		}
		if (e.fileName != null) {
			AuditEvent.AuditEventEntityComponent file = entity(event, "2", "export-file", e.fileName);
			for (Map.Entry<String, Object> detail : e.detail.entrySet()) {
				if (detail.getKey().equals("type") || detail.getKey().equals("resources")) {
					file.addDetail().setType(detail.getKey()).setValue(new org.hl7.fhir.r4.model.StringType(
							String.valueOf(detail.getValue())));
				}
			}
		}
		Object request = e.detail.get("request");
		if (request != null) {
			event.addEntity()
					.setType(new Coding(ENTITY_TYPE, "2", "System Object"))
					.setRole(new Coding(OBJECT_ROLE, "24", "Query"))
					.setQuery(request.toString().getBytes(StandardCharsets.UTF_8));
		}
		return event;
	}

	private static AuditEvent.AuditEventEntityComponent entity(AuditEvent event, String type, String system, String value) {
		return event.addEntity()
				.setWhat(new Reference().setIdentifier(new Identifier().setSystem(ID_SYSTEM + system).setValue(value)))
				.setType(new Coding(ENTITY_TYPE, type, null));
	}

	/** type system, code, display; subtype system, code, display; action. */
	private static String[] kind(String action) {
		String authentication = DCM;
		return switch (action) {
			case "token.issue", "token.refuse" -> new String[] {
				authentication, "110114", "User Authentication", DCM, "110122", "Login", "E"};
			case "admin.login" -> new String[] {
				authentication, "110114", "User Authentication", DCM, "110122", "Login", "E"};
			case "export.kickoff" -> rest("operation", "E");
			case "export.status", "export.download", "admin.job.download", "admin.audit.export" -> rest("operation", "R");
			case "export.delete", "admin.job.delete", "admin.job.cancel", "admin.client.revoke" -> rest("delete", "D");
			case "export.purge" -> new String[] {
				EVENT_TYPE, "rest", "Restful Operation", INTERACTION, "delete", "delete", "D"};
			case "admin.client.register" -> rest("create", "C");
			default -> rest("update", "U");
		};
	}

	private static String[] rest(String interaction, String action) {
		return new String[] {EVENT_TYPE, "rest", "Restful Operation", INTERACTION, interaction, interaction, action};
	}
}
