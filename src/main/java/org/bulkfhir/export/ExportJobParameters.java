package org.bulkfhir.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.bulkfhir.read.UpdatedWindow;

import java.util.ArrayList;
import java.util.List;

/** What a kick-off asked for, after validation. Stored by batch2 as the job's parameters. */
public class ExportJobParameters implements IModelJson {

	@JsonProperty("level")
	private ExportLevel level;

	@JsonProperty("groupId")
	private String groupId;

	/** The resource types to export; never empty once validated. */
	@JsonProperty("types")
	private List<String> types = new ArrayList<>();

	/** Epoch millis, inclusive lower bound of {@code meta.lastUpdated}, or null. */
	/**
	 * The types whose resources the export walks: the requested types without Provenance, or,
	 * when only Provenance was asked for, every type the level offers (their Provenance is exported,
	 * they are not).
	 */
	@JsonProperty("scanTypes")
	private List<String> scanTypes = new ArrayList<>();

	/** IG v2 includeAssociatedData=LatestProvenanceResources: only the newest Provenance per resource. */
	@JsonProperty("latestProvenanceOnly")
	private boolean latestProvenanceOnly;

	@JsonProperty("since")
	private Long since;

	/** Epoch millis, inclusive upper bound of {@code meta.lastUpdated}, or null. */
	@JsonProperty("until")
	private Long until;

	@JsonProperty("typeFilters")
	private List<String> typeFilters = new ArrayList<>();

	/**
	 * The {@code patient} parameter: FHIR ids of the only patients exported (Group and Patient level);
	 * empty for every patient of the level.
	 */
	@JsonProperty("patientIds")
	private List<String> patientIds = new ArrayList<>();

	/** The {@code _elements} entries ({@code Type.element} or {@code element}); empty for whole resources. */
	@JsonProperty("elements")
	private List<String> elements = new ArrayList<>();

	@JsonProperty("outputFormat")
	private String outputFormat;

	@JsonProperty("requestUrl")
	private String requestUrl;

	/** The authorized client that started the job; null when authorization is off. */
	@JsonProperty("clientId")
	private String clientId;

	/** Epoch millis: the data is exported as of this instant. */
	@JsonProperty("transactionTime")
	private long transactionTime;

	@JsonProperty("maxResourcesPerFile")
	private int maxResourcesPerFile;

	@JsonProperty("maxBytesPerFile")
	private long maxBytesPerFile;

	/** STU3 allowPartialManifests: manifest pages, and a page of the files already complete while running. */
	@JsonProperty("allowPartialManifests")
	private boolean allowPartialManifests;

	/** STU3 organizeOutputBy: {@code Patient} (files of patient blocks), or null (files per resource type). */
	@JsonProperty("organizeOutputBy")
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
	private String organizeOutputBy;

	public String getOrganizeOutputBy() {
		return organizeOutputBy;
	}

	public void setOrganizeOutputBy(String organizeOutputBy) {
		this.organizeOutputBy = organizeOutputBy;
	}

	/** Whether the files are made of patient blocks rather than one resource type each. */
	public boolean organizedByPatient() {
		return OrganizeOutputBy.PATIENT.equals(organizeOutputBy);
	}

	public boolean isAllowPartialManifests() {
		return allowPartialManifests;
	}

	public void setAllowPartialManifests(boolean allowPartialManifests) {
		this.allowPartialManifests = allowPartialManifests;
	}

	public ExportLevel getLevel() {
		return level;
	}

	public void setLevel(ExportLevel level) {
		this.level = level;
	}

	public String getGroupId() {
		return groupId;
	}

	public void setGroupId(String groupId) {
		this.groupId = groupId;
	}

	public List<String> getTypes() {
		return types;
	}

	public void setTypes(List<String> types) {
		this.types = types;
	}

	public List<String> getScanTypes() {
		return scanTypes;
	}

	public void setScanTypes(List<String> scanTypes) {
		this.scanTypes = scanTypes;
	}

	public boolean isLatestProvenanceOnly() {
		return latestProvenanceOnly;
	}

	public void setLatestProvenanceOnly(boolean latestProvenanceOnly) {
		this.latestProvenanceOnly = latestProvenanceOnly;
	}

	/** The all-or-nothing rule: Provenance is exported exactly when it is in {@code _type}. */
	public boolean includesProvenance() {
		return types.contains("Provenance");
	}

	/** Whether resources of this type go into the files (scanned types may only feed Provenance). */
	public boolean writes(String type) {
		return types.contains(type);
	}

	public Long getSince() {
		return since;
	}

	public void setSince(Long since) {
		this.since = since;
	}

	public Long getUntil() {
		return until;
	}

	public void setUntil(Long until) {
		this.until = until;
	}

	public List<String> getTypeFilters() {
		return typeFilters;
	}

	public void setTypeFilters(List<String> typeFilters) {
		this.typeFilters = typeFilters;
	}

	public List<String> getPatientIds() {
		return patientIds;
	}

	public void setPatientIds(List<String> patientIds) {
		this.patientIds = patientIds;
	}

	public List<String> getElements() {
		return elements;
	}

	public void setElements(List<String> elements) {
		this.elements = elements;
	}

	public String getOutputFormat() {
		return outputFormat;
	}

	public void setOutputFormat(String outputFormat) {
		this.outputFormat = outputFormat;
	}

	public String getRequestUrl() {
		return requestUrl;
	}

	public void setRequestUrl(String requestUrl) {
		this.requestUrl = requestUrl;
	}

	public String getClientId() {
		return clientId;
	}

	public void setClientId(String clientId) {
		this.clientId = clientId;
	}

	public long getTransactionTime() {
		return transactionTime;
	}

	public void setTransactionTime(long transactionTime) {
		this.transactionTime = transactionTime;
	}

	public int getMaxResourcesPerFile() {
		return maxResourcesPerFile;
	}

	public void setMaxResourcesPerFile(int maxResourcesPerFile) {
		this.maxResourcesPerFile = maxResourcesPerFile;
	}

	public long getMaxBytesPerFile() {
		return maxBytesPerFile;
	}

	public void setMaxBytesPerFile(long maxBytesPerFile) {
		this.maxBytesPerFile = maxBytesPerFile;
	}

	/** The upper bound of {@code lastUpdated}: the earlier of {@code _until} and the transaction time. */
	public long effectiveUntil() {
		return until == null ? transactionTime : Math.min(until, transactionTime);
	}

	public UpdatedWindow updatedWindow() {
		return new UpdatedWindow(since, effectiveUntil(), transactionTime);
	}

	/** The {@code _typeFilter} queries (without the type prefix) that apply to one type. */
	public List<String> filtersFor(String resourceType) {
		String prefix = resourceType + "?";
		return typeFilters.stream().filter(f -> f.startsWith(prefix)).toList();
	}
}
