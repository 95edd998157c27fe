package org.bulkfhir.export;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates {@code _elements} (Bulk Data IG v2, kick-off parameters): a comma list of top-level
 * elements, {@code Type.element} or {@code element}. Every entry must name an element that exists:
 * a typed one in its type, which must be exported; an untyped one in at least one exported type.
 * A choice element is named without its type ({@code value}, also {@code value[x]}).
 */
class ElementsParameter {

	static final String NAME = "_elements";
	/** At most this many entries: each is a path HAPI's encoder checks for every element it writes. */
	static final int MAX_ENTRIES = 100;

	private final FhirContext fhirContext;

	ElementsParameter(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/** The validated entries, in a canonical form ({@code value[x]} becomes {@code value}); empty if absent. */
	List<String> parse(List<String> values, List<String> exportedTypes) {
		Set<String> entries = new LinkedHashSet<>();
		if (values == null) {
			return new ArrayList<>();
		}
		for (String value : values) {
			for (String item : value.split(",")) {
				String entry = item.strip();
				if (entry.isEmpty()) {
					continue;
				}
				if (entries.size() == MAX_ENTRIES) {
					throw new InvalidRequestException(
							"Too many _elements entries: this server takes at most " + MAX_ENTRIES);
				}
				entries.add(validated(entry, exportedTypes));
			}
		}
		if (entries.isEmpty() && !values.isEmpty()) {
			throw new InvalidRequestException("_elements is empty: list at least one element, such as Patient.name");
		}
		return new ArrayList<>(entries);
	}

	private String validated(String entry, List<String> exportedTypes) {
		String[] parts = entry.split("\\.", -1);
		if (parts.length > 2 || parts[parts.length - 1].isEmpty()) {
			throw new InvalidRequestException("Invalid _elements entry '" + ExportJobService.sanitize(entry)
					+ "': expected a top-level element, as Type.element or element (e.g. Patient.name, status)");
		}
		String element = stripChoiceSuffix(parts[parts.length - 1]);
		if (parts.length == 1) {
			if (exportedTypes.stream().noneMatch(type -> hasElement(type, element))) {
				throw new InvalidRequestException("Unknown element '" + ExportJobService.sanitize(entry)
						+ "' in _elements: it is a top-level element of none of the exported types");
			}
			return element;
		}
		String type = parts[0];
		if (!fhirContext.getResourceTypes().contains(type)) {
			throw new InvalidRequestException(
					"Unknown resource type '" + ExportJobService.sanitize(type) + "' in _elements");
		}
		if (!exportedTypes.contains(type)) {
			throw new InvalidRequestException(
					"_elements names " + type + ", but " + type + " is not among the exported types");
		}
		if (!hasElement(type, element)) {
			throw new InvalidRequestException("Unknown element '" + ExportJobService.sanitize(entry)
					+ "' in _elements: " + type + " has no top-level element of that name");
		}
		return type + "." + element;
	}

	private static String stripChoiceSuffix(String element) {
		return element.endsWith("[x]") ? element.substring(0, element.length() - 3) : element;
	}

	private boolean hasElement(String type, String element) {
		RuntimeResourceDefinition definition = fhirContext.getResourceDefinition(type);
		if (element.equals("id") || element.equals("meta")) {
			return true;
		}
		for (BaseRuntimeChildDefinition child : definition.getChildren()) {
			if (child.getElementName().equals(element)) {
				return true;
			}
		}
		return false;
	}
}
