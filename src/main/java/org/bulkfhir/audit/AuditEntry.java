package org.bulkfhir.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One entry of the audit trail. Who ({@code actorType}/{@code actor}: a client id, an admin user or
 * the server itself), for which bulk client ({@code clientId}: the client the action concerns, e.g.
 * the owner of a job an operator deleted), what ({@code action}, job, Group, number of patients,
 * file, {@code detail}: the request's parameters), when and from where, and the outcome (HTTP
 * status and reason). Never patient data: ids of Groups and jobs, counts and file names only.
 */
public class AuditEntry {

	public static final String ACTOR_CLIENT = "client";
	/** A client id named by a refused token request: claimed, not proven. */
	public static final String ACTOR_CLAIMED_CLIENT = "claimed-client";
	public static final String ACTOR_ADMIN = "admin";
	public static final String ACTOR_SYSTEM = "system";

	public static final String OUTCOME_SUCCESS = "success";
	public static final String OUTCOME_REFUSED = "refused";
	public static final String OUTCOME_ERROR = "error";
	/** Written before the action (fail closed) and completed once the answer is known. */
	public static final String OUTCOME_PENDING = "pending";

	String id = UUID.randomUUID().toString();
	Instant at = Instant.now();
	String action;
	String actorType;
	String actor;
	String clientId;
	String address;
	String forwardedFor;
	String jobId;
	String groupId;
	Integer patients;
	String fileName;
	final Map<String, Object> detail = new LinkedHashMap<>();
	Integer status;
	String outcome = OUTCOME_PENDING;
	String reason;

	public static AuditEntry of(String action) {
		AuditEntry entry = new AuditEntry();
		entry.action = action;
		return entry;
	}

	public AuditEntry actor(String type, String name) {
		this.actorType = type;
		this.actor = name;
		return this;
	}

	public AuditEntry client(String clientId) {
		this.clientId = clientId;
		return this;
	}

	public AuditEntry from(String address, String forwardedFor) {
		this.address = address;
		this.forwardedFor = forwardedFor;
		return this;
	}

	public AuditEntry job(String jobId) {
		this.jobId = jobId;
		return this;
	}

	public AuditEntry group(String groupId) {
		this.groupId = groupId;
		return this;
	}

	public AuditEntry patients(Integer patients) {
		this.patients = patients;
		return this;
	}

	public AuditEntry file(String fileName) {
		this.fileName = fileName;
		return this;
	}

	public AuditEntry detail(String key, Object value) {
		if (value != null) {
			detail.put(key, value);
		}
		return this;
	}

	/** The answer: HTTP status, outcome derived from it, and why (for refusals and errors). */
	public AuditEntry outcome(int status, String reason) {
		this.status = status;
		this.outcome = status >= 500 ? OUTCOME_ERROR : status >= 400 ? OUTCOME_REFUSED : OUTCOME_SUCCESS;
		this.reason = reason;
		return this;
	}

	public String id() {
		return id;
	}

	/** Names the action anew (an admin DELETE of a job still running is a cancel). */
	public AuditEntry action(String action) {
		this.action = action;
		return this;
	}

	/** A value put in the detail so far, or null. */
	public Object detail(String key) {
		return detail.get(key);
	}

	public String action() {
		return action;
	}

	public String jobId() {
		return jobId;
	}

	public String fileName() {
		return fileName;
	}

	public String clientId() {
		return clientId;
	}

	public Instant at() {
		return at;
	}

	public Integer status() {
		return status;
	}

	public String outcome() {
		return outcome;
	}

	public Map<String, Object> toMap() {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", id);
		view.put("at", at.toString());
		view.put("action", action);
		view.put("actorType", actorType);
		view.put("actor", actor);
		view.put("client", clientId);
		view.put("address", address);
		if (forwardedFor != null) {
			view.put("forwardedFor", forwardedFor);
		}
		view.put("job", jobId);
		view.put("group", groupId);
		view.put("patients", patients);
		view.put("file", fileName);
		view.put("detail", detail);
		view.put("status", status);
		view.put("outcome", outcome);
		view.put("reason", reason);
		return view;
	}
}
