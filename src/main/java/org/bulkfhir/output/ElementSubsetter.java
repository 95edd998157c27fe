package org.bulkfhir.output;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies an export's {@code _elements} list (Bulk Data IG v2): a resource of a type the list
 * restricts is parsed and encoded again with only the listed top-level elements plus the mandatory
 * ones (id, meta and every element of minimum cardinality 1); HAPI's encoder then marks it with the
 * {@code SUBSETTED} tag. Entries are {@code Type.element} (that type only) or {@code element} (every
 * type): a type with no entry of either kind is exported whole. Resources of types the list does not
 * restrict keep the spliced stored text untouched. One instance per writing thread: HAPI's parsers are
 * not shared between threads.
 */
public class ElementSubsetter {

	private static final ElementSubsetter NONE = new ElementSubsetter(null, List.of());

	private final FhirContext fhirContext;
	private final Set<String> untyped = new LinkedHashSet<>();
	private final Map<String, Set<String>> typed = new HashMap<>();
	private final Map<String, IParser> encoders = new HashMap<>();
	private IParser decoder;

	private ElementSubsetter(FhirContext fhirContext, List<String> elements) {
		this.fhirContext = fhirContext;
		for (String entry : elements) {
			int dot = entry.indexOf('.');
			if (dot < 0) {
				untyped.add(entry);
			} else {
				typed.computeIfAbsent(entry.substring(0, dot), t -> new LinkedHashSet<>()).add(entry.substring(dot + 1));
			}
		}
	}

	/** A subsetter for validated {@code _elements} entries; an empty list restricts nothing. */
	public static ElementSubsetter of(FhirContext fhirContext, List<String> elements) {
		return elements == null || elements.isEmpty() ? NONE : new ElementSubsetter(fhirContext, elements);
	}

	public static ElementSubsetter none() {
		return NONE;
	}

	public boolean restricts(String resourceType) {
		return !untyped.isEmpty() || typed.containsKey(resourceType);
	}

	/** The resource's JSON cut down to the elements kept, with the SUBSETTED tag; unchanged if not restricted. */
	public String apply(String resourceType, String json) {
		if (!restricts(resourceType)) {
			return json;
		}
		if (decoder == null) {
			decoder = fhirContext.newJsonParser();
		}
		return encoders.computeIfAbsent(resourceType, this::encoderFor).encodeResourceToString(decoder.parseResource(json));
	}

	private IParser encoderFor(String resourceType) {
		Set<String> paths = new LinkedHashSet<>();
		for (String element : untyped) {
			paths.add(resourceType + "." + element);
		}
		for (String element : typed.getOrDefault(resourceType, Set.of())) {
			paths.add(resourceType + "." + element);
		}
		paths.add(resourceType + ".id");
		paths.add(resourceType + ".meta");
		paths.add(resourceType + ".(mandatory)");
		return fhirContext.newJsonParser().setEncodeElements(paths);
	}
}
