package org.bulkfhir.read;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The resources of some types that written resources reference, collected from their JSON text as it
 * is written: relative references ({@code Type/id}, {@code Type/id/_history/n}) by type and id. A
 * resource with an absolute reference (which HAPI links only when its base is configured as local) is
 * noted apart, for the caller to ask HAPI's links about it.
 *
 * <p>Every link HAPI indexes comes from such a reference in the text, so this finds what the links
 * find; it also finds references outside search parameter paths (in extensions, in contained
 * resources), which HAPI does not link. On PostgreSQL, asking {@code HFJ_RES_LINK} instead (every link
 * of every written resource fetched from the table by source) was a quarter of the database's time
 * in an export.
 */
public final class TextReferences {

	private static final String REFERENCE = "\"reference\":\"";

	private final String[] types;
	private final Map<String, TreeSet<String>> idsByType = new TreeMap<>();
	private final List<Long> withAbsoluteReferences = new ArrayList<>();

	public TextReferences(Set<String> types) {
		this.types = types.toArray(String[]::new);
	}

	/** Notes the references of one written resource. */
	public void collect(long pid, String json) {
		if (types.length == 0) {
			return;
		}
		boolean absolute = false;
		int at = json.indexOf(REFERENCE);
		while (at >= 0) {
			int start = at + REFERENCE.length();
			int end = json.indexOf('"', start);
			if (end < 0) {
				break;
			}
			int slash = json.indexOf('/', start);
			if (containsAny(json, start, end)) {
				absolute |= slash >= 0 && slash < end; // a URL, or escaped text: HAPI's links decide
			} else if (slash > start && slash < end) {
				String type = typeAt(json, start, slash);
				if (type != null) {
					int idEnd = json.indexOf('/', slash + 1);
					String id = json.substring(slash + 1, idEnd < 0 || idEnd > end ? end : idEnd);
					if (!id.isEmpty()) {
						idsByType.computeIfAbsent(type, t -> new TreeSet<>()).add(id);
					}
				}
			}
			at = json.indexOf(REFERENCE, end);
		}
		if (absolute) {
			withAbsoluteReferences.add(pid);
		}
	}

	/** The wanted type that the text between the indexes names, or null (without cutting the text out). */
	private String typeAt(String json, int start, int end) {
		for (String type : types) {
			if (type.length() == end - start && json.startsWith(type, start)) {
				return type;
			}
		}
		return null;
	}

	/** Whether the text between the indexes has a ':' (a URL's scheme) or a backslash (an escape). */
	private static boolean containsAny(String json, int start, int end) {
		for (int i = start; i < end; i++) {
			char c = json.charAt(i);
			if (c == ':' || c == '\\') {
				return true;
			}
		}
		return false;
	}

	/** The ids referenced, by type. */
	public Map<String, TreeSet<String>> ids() {
		return idsByType;
	}

	/** The resources that have an absolute (or escaped) reference. */
	public List<Long> withAbsoluteReferences() {
		return withAbsoluteReferences;
	}
}
