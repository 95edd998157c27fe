package org.bulkfhir.export;

import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.PatientCompartment;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.PreferHeader;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.bulkfhir.settings.BulkFhirProperties;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a kick-off request (GET query or POST {@code Parameters}) into validated job parameters.
 * Every problem becomes a 400 with a message that says what to change.
 */
public class ExportRequestParser {

	public static final Set<String> OUTPUT_FORMATS = Set.of("application/fhir+ndjson", "application/ndjson", "ndjson");

	static final String OUTPUT_FORMAT = "_outputFormat";
	static final String TYPE = "_type";
	static final String SINCE = "_since";
	static final String UNTIL = "_until";
	static final String TYPE_FILTER = "_typeFilter";
	static final String INCLUDE_ASSOCIATED_DATA = "includeAssociatedData";
	static final String ALLOW_PARTIAL_MANIFESTS = "allowPartialManifests";
	/** At most this many _typeFilter queries per kick-off... */
	static final int MAX_TYPE_FILTERS = 50;
	/** ... of at most this many characters each: each becomes a search of its own in every chunk. */
	static final int MAX_TYPE_FILTER_LENGTH = 2000;
	static final String PATIENT = PatientParameter.NAME;
	static final String ELEMENTS = ElementsParameter.NAME;
	/** The kick-off parameters this server takes (also declared in the CapabilityStatement). */
	public static final Set<String> SUPPORTED = Set.of(OUTPUT_FORMAT, TYPE, SINCE, UNTIL, TYPE_FILTER,
			INCLUDE_ASSOCIATED_DATA, ALLOW_PARTIAL_MANIFESTS, PATIENT, ELEMENTS, OrganizeOutputBy.NAME);
	private static final String LATEST_PROVENANCE = "LatestProvenanceResources";
	private static final String RELEVANT_PROVENANCE = "RelevantProvenanceResources";
	/** Parameters of HAPI's own request handling, not of the operation. */
	private static final Set<String> IGNORED = Set.of("_format", "_pretty", "_summary");
	private static final String PARSED_BODY_KEY =
			ca.uhn.fhir.rest.annotation.OperationParam.class.getName() + "_PARSED_RESOURCE";

	private final FhirContext fhirContext;
	private final PatientCompartment compartment;
	private final FilterSearch filterSearch;
	private final BulkFhirProperties properties;
	private final ElementsParameter elements;

	public ExportRequestParser(
			FhirContext fhirContext,
			PatientCompartment compartment,
			FilterSearch filterSearch,
			BulkFhirProperties properties) {
		this.fhirContext = fhirContext;
		this.compartment = compartment;
		this.filterSearch = filterSearch;
		this.properties = properties;
		this.elements = new ElementsParameter(fhirContext);
	}

	public ExportJobParameters parse(ExportLevel level, String groupId, RequestDetails request) {
		PreferHeader prefer = RestfulServerUtils.parsePreferHeader(null, request.getHeader(Constants.HEADER_PREFER));
		if (!prefer.getRespondAsync()) {
			throw new InvalidRequestException(
					"Bulk data export is asynchronous: send the header 'Prefer: respond-async' with the kick-off request");
		}
		boolean lenient = request.getHeader(Constants.HEADER_PREFER) != null
				&& request.getHeader(Constants.HEADER_PREFER).contains("handling=lenient");
		Map<String, List<String>> values = collect(request);
		for (String name : values.keySet()) {
			if (!SUPPORTED.contains(name) && !IGNORED.contains(name) && !lenient) {
				throw new InvalidRequestException("Unsupported $export parameter '" + ExportJobService.sanitize(name)
						+ "'. Supported: " + new TreeSet<>(SUPPORTED)
						+ " (send 'Prefer: handling=lenient' to have unsupported parameters ignored)");
			}
		}

		ExportJobParameters params = new ExportJobParameters();
		params.setLevel(level);
		params.setGroupId(groupId);
		params.setOutputFormat(outputFormat(values.get(OUTPUT_FORMAT)));
		Set<String> allowed = ExportCaller.allowedTypes(request);
		params.setTypes(withinScopes(types(level, values.get(TYPE)), allowed, values.get(TYPE) != null));
		params.setScanTypes(withinScopes(scanTypes(level, params.getTypes()), allowed, false));
		params.setLatestProvenanceOnly(latestProvenanceOnly(values.get(INCLUDE_ASSOCIATED_DATA), params));
		params.setSince(instant(SINCE, values.get(SINCE)));
		params.setUntil(instant(UNTIL, values.get(UNTIL)));
		if (params.getSince() != null && params.getUntil() != null && params.getSince() > params.getUntil()) {
			throw new InvalidRequestException("_since must not be later than _until");
		}
		params.setTypeFilters(typeFilters(values.get(TYPE_FILTER), params.getTypes()));
		params.setPatientIds(patients(level, values.get(PATIENT)));
		params.setElements(elements.parse(values.get(ELEMENTS), params.getTypes()));
		params.setRequestUrl(request.getCompleteUrl());
		params.setClientId(ExportCaller.clientId(request));
		params.setTransactionTime(System.currentTimeMillis());
		params.setMaxResourcesPerFile(properties.export().maxResourcesPerFile());
		params.setMaxBytesPerFile(properties.export().maxBytesPerFile());
		params.setAllowPartialManifests(bool(ALLOW_PARTIAL_MANIFESTS, values.get(ALLOW_PARTIAL_MANIFESTS)));
		params.setOrganizeOutputBy(OrganizeOutputBy.parse(level, values.get(OrganizeOutputBy.NAME)));
		return params;
	}

	/**
	 * Query parameters merged with the parameters of a POSTed {@code Parameters} body. {@code patient}
	 * is taken only from the body, as references (the IG allows it only in a POST).
	 */
	private static Map<String, List<String>> collect(RequestDetails request) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		if (request.getParameters() != null && request.getParameters().containsKey(PATIENT)) {
			throw new InvalidRequestException("Parameter 'patient' is accepted only in the Parameters body of a POST"
					+ " kick-off, as valueReference entries (Bulk Data IG v2), not in the URL");
		}
		if (request.getParameters() != null) {
			request.getParameters().forEach((name, array) -> {
				for (String value : array) {
					values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
				}
			});
		}
		IBaseResource body = request.getResource();
		if (body == null) {
			body = (IBaseResource) request.getUserData().get(PARSED_BODY_KEY);
		}
		if (body != null && !(body instanceof Parameters)) {
			throw new InvalidRequestException("The body of a POST kick-off must be a FHIR Parameters resource");
		}
		if (body instanceof Parameters parameters) {
			for (Parameters.ParametersParameterComponent p : parameters.getParameter()) {
				if (PATIENT.equals(p.getName())) {
					if (!(p.getValue() instanceof Reference reference) || !reference.hasReference()) {
						throw new InvalidRequestException("Parameter 'patient' must be a valueReference such as"
								+ " {\"reference\": \"Patient/123\"}");
					}
					values.computeIfAbsent(PATIENT, n -> new ArrayList<>()).add(reference.getReference());
					continue;
				}
				if (!(p.getValue() instanceof IPrimitiveType<?> primitive) || primitive.getValueAsString() == null) {
					throw new InvalidRequestException(
							"Parameter '" + ExportJobService.sanitize(p.getName()) + "' must have a primitive value");
				}
				values.computeIfAbsent(p.getName(), n -> new ArrayList<>()).add(primitive.getValueAsString());
			}
		}
		return values;
	}

	private static List<String> patients(ExportLevel level, List<String> references) {
		if (references != null && level == ExportLevel.SYSTEM) {
			throw new InvalidRequestException("Parameter 'patient' applies only to Group and Patient level exports");
		}
		return PatientParameter.parse(references);
	}

	private static String outputFormat(List<String> values) {
		if (values == null || values.isEmpty()) {
			return "application/fhir+ndjson";
		}
		if (values.size() > 1) {
			throw new InvalidRequestException("_outputFormat may be given only once");
		}
		String format = values.get(0).strip();
		if (!OUTPUT_FORMATS.contains(format)) {
			throw new InvalidRequestException("Unsupported _outputFormat '" + ExportJobService.sanitize(format)
					+ "': this server exports application/fhir+ndjson (also accepted: application/ndjson, ndjson)");
		}
		return format;
	}

	private List<String> types(ExportLevel level, List<String> values) {
		Set<String> allowed = allowedTypes(level);
		if (values == null || values.isEmpty()) {
			// All or nothing: without an explicit _type there is no Provenance at all.
			return allowed.stream().filter(t -> !t.equals("Provenance")).toList();
		}
		Set<String> requested = new LinkedHashSet<>();
		for (String value : values) {
			for (String type : value.split(",")) {
				String trimmed = type.strip();
				if (trimmed.isEmpty()) {
					continue;
				}
				if (!fhirContext.getResourceTypes().contains(trimmed)) {
					throw new InvalidRequestException(
							"Unknown resource type '" + ExportJobService.sanitize(trimmed) + "' in _type");
				}
				if (!allowed.contains(trimmed)) {
					throw new InvalidRequestException("Resource type '" + trimmed + "' in _type cannot be exported at "
							+ level.name().toLowerCase() + " level");
				}
				requested.add(trimmed);
			}
		}
		if (requested.isEmpty()) {
			throw new InvalidRequestException("_type is empty: list at least one resource type");
		}
		return new ArrayList<>(requested);
	}

	/** Types each level can export (Binary never: export files are not clinical data). */
	public Set<String> allowedTypes(ExportLevel level) {
		if (level == ExportLevel.SYSTEM) {
			Set<String> all = new TreeSet<>(fhirContext.getResourceTypes());
			all.remove("Binary");
			return all;
		}
		Set<String> types = new TreeSet<>(compartment.patientLevelTypes());
		types.add("Provenance");
		return types;
	}

	/**
	 * Types the caller's scopes allow: an explicit {@code _type} beyond them is refused (403); a
	 * default list is cut down to them.
	 */
	private static List<String> withinScopes(List<String> types, Set<String> allowed, boolean explicit) {
		if (allowed == null) {
			return types;
		}
		List<String> outside = types.stream().filter(t -> !allowed.contains(t)).toList();
		if (explicit && !outside.isEmpty()) {
			throw new ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException(
					"The access token's scopes do not allow exporting " + String.join(", ", outside));
		}
		List<String> within = types.stream().filter(allowed::contains).toList();
		if (within.isEmpty()) {
			throw new ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException(
					"The access token's scopes allow none of the types this export covers");
		}
		return within;
	}

	private List<String> scanTypes(ExportLevel level, List<String> types) {
		List<String> scan = types.stream().filter(t -> !t.equals("Provenance")).toList();
		if (!scan.isEmpty()) {
			return scan;
		}
		return allowedTypes(level).stream().filter(t -> !t.equals("Provenance")).toList();
	}

	private static boolean latestProvenanceOnly(List<String> values, ExportJobParameters params) {
		boolean latest = false;
		for (String value : values == null ? List.<String>of() : values) {
			for (String item : value.split(",")) {
				String trimmed = item.strip();
				if (trimmed.equals(LATEST_PROVENANCE)) {
					latest = true;
				} else if (!trimmed.equals(RELEVANT_PROVENANCE)) {
					throw new InvalidRequestException("Unsupported includeAssociatedData value '"
							+ ExportJobService.sanitize(trimmed) + "'. Supported: " + LATEST_PROVENANCE + ", "
							+ RELEVANT_PROVENANCE);
				}
				if (!params.includesProvenance()) {
					throw new InvalidRequestException("includeAssociatedData asks for Provenance, but Provenance is not"
							+ " in _type: this server exports Provenance only when _type lists it (all or nothing)");
				}
			}
		}
		return latest;
	}

	/** A FHIR boolean: {@code true} or {@code false}, at most once; absent is false. */
	private static boolean bool(String name, List<String> values) {
		if (values == null || values.isEmpty()) {
			return false;
		}
		if (values.size() > 1) {
			throw new InvalidRequestException(name + " may be given only once");
		}
		String value = values.get(0).strip();
		if (!value.equals("true") && !value.equals("false")) {
			throw new InvalidRequestException(
					"Invalid " + name + " '" + ExportJobService.sanitize(value) + "': expected true or false");
		}
		return value.equals("true");
	}

	private static Long instant(String name, List<String> values) {
		if (values == null || values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw new InvalidRequestException(name + " may be given only once");
		}
		String value = values.get(0).strip();
		try {
			InstantType instant = new InstantType(value);
			if (instant.getValue() == null) {
				throw new DataFormatException("empty");
			}
			return instant.getValue().getTime();
		} catch (DataFormatException | IllegalArgumentException e) {
			throw new InvalidRequestException("Invalid " + name + " '" + ExportJobService.sanitize(value)
					+ "': expected a FHIR instant such as 2024-01-31T12:00:00Z");
		}
	}

	private List<String> typeFilters(List<String> values, List<String> types) {
		List<String> filters = new ArrayList<>();
		if (values == null) {
			return filters;
		}
		for (String value : values) {
			// Several filters may be joined by commas; a new one starts at "Type?".
			for (String filter : value.split(",(?=[A-Z][A-Za-z]+\\?)")) {
				String trimmed = filter.strip();
				if (filters.size() == MAX_TYPE_FILTERS) {
					throw new InvalidRequestException("Too many _typeFilter queries: this server takes at most "
							+ MAX_TYPE_FILTERS + " per export");
				}
				if (trimmed.length() > MAX_TYPE_FILTER_LENGTH) {
					throw new InvalidRequestException("A _typeFilter query has " + trimmed.length()
							+ " characters: this server takes at most " + MAX_TYPE_FILTER_LENGTH + " characters per query");
				}
				int question = trimmed.indexOf('?');
				if (question <= 0 || question == trimmed.length() - 1) {
					throw new InvalidRequestException("Invalid _typeFilter '" + ExportJobService.sanitize(trimmed)
							+ "': expected ResourceType?search-parameters");
				}
				String type = trimmed.substring(0, question);
				if (!fhirContext.getResourceTypes().contains(type)) {
					throw new InvalidRequestException(
							"Unknown resource type '" + ExportJobService.sanitize(type) + "' in _typeFilter");
				}
				if (!types.contains(type)) {
					throw new InvalidRequestException(
							"_typeFilter for " + type + " but " + type + " is not among the exported types");
				}
				try {
					filterSearch.parse(trimmed);
				} catch (InvalidRequestException e) {
					throw new InvalidRequestException("Invalid _typeFilter for " + type + ": " + e.getMessage());
				} catch (RuntimeException e) {
					throw new InvalidRequestException("Invalid _typeFilter for " + type + ": " + e.getMessage());
				}
				filters.add(trimmed);
			}
		}
		return filters;
	}
}
