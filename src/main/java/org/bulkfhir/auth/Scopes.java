package org.bulkfhir.auth;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMART scopes, v1 ({@code system/Observation.read}, {@code system/*.read}) and v2
 * ({@code system/Observation.rs}, {@code system/*.cruds}).
 */
public final class Scopes {

	private static final Pattern RESOURCE_SCOPE =
			Pattern.compile("(system|patient|user)/(\\*|[A-Z][A-Za-z]+)\\.(read|write|\\*|c?r?u?d?s?)(\\?.*)?");

	private Scopes() {}

	/**
	 * Whether a scope has a query part ({@code system/Observation.rs?category=laboratory}, SMART v2
	 * fine-grained scopes). The export cannot honour the filter, so such scopes are refused wherever
	 * they appear, and never count as access to the whole type.
	 */
	public static boolean hasQuery(String scope) {
		return scope.indexOf('?') >= 0;
	}

	/**
	 * Requested scopes the client may have: each requested scope that an allowed scope covers. A
	 * scope with a query part is never granted (the caller refuses the request before, see
	 * {@link #hasQuery}).
	 */
	public static Set<String> grant(Set<String> requested, Set<String> allowed) {
		Set<String> granted = new LinkedHashSet<>();
		for (String scope : requested) {
			if (hasQuery(scope)) {
				continue;
			}
			if (allowed.contains(scope) || allowed.stream().anyMatch(a -> covers(a, scope))) {
				granted.add(scope);
			}
		}
		return granted;
	}

	/**
	 * The resource types a set of scopes lets a System app read in bulk; null means every type.
	 * Only {@code system/} scopes with read access count; a scope with a query part counts for
	 * nothing (an external issuer's token may carry one: it must not open the whole type).
	 */
	public static Set<String> readableTypes(Set<String> scopes) {
		Set<String> types = new LinkedHashSet<>();
		for (String scope : scopes) {
			Matcher m = RESOURCE_SCOPE.matcher(scope);
			if (!m.matches() || m.group(4) != null || !m.group(1).equals("system") || !readsAndSearches(m.group(3))) {
				continue;
			}
			if (m.group(2).equals("*")) {
				return null;
			}
			types.add(m.group(2));
		}
		return types;
	}

	/**
	 * What the {@code system/} scopes allow per resource type ({@code *} for every type), as SMART v2
	 * letters: {@code c} create, {@code r} read, {@code u} update, {@code d} delete, {@code s} search.
	 * v1 {@code read} is {@code rs}, {@code write} is {@code cud}. Scopes with a query part grant nothing.
	 */
	public static Map<String, String> systemPermissions(Set<String> scopes) {
		Map<String, String> permissions = new LinkedHashMap<>();
		for (String scope : scopes) {
			Matcher m = RESOURCE_SCOPE.matcher(scope);
			if (!m.matches() || !m.group(1).equals("system") || m.group(4) != null) {
				continue;
			}
			permissions.merge(m.group(2), v2Letters(m.group(3)), Scopes::union);
		}
		return permissions;
	}

	private static String union(String a, String b) {
		StringBuilder letters = new StringBuilder();
		for (char c : "cruds".toCharArray()) {
			if (a.indexOf(c) >= 0 || b.indexOf(c) >= 0) {
				letters.append(c);
			}
		}
		return letters.toString();
	}

	private static boolean readsAndSearches(String permission) {
		return permission.equals("read") || permission.equals("*") || permission.contains("r");
	}

	/** Whether an allowed wildcard scope ({@code system/*.read}) covers a requested one ({@code system/Patient.read}). */
	private static boolean covers(String allowed, String requested) {
		Matcher a = RESOURCE_SCOPE.matcher(allowed);
		Matcher r = RESOURCE_SCOPE.matcher(requested);
		if (!a.matches() || !r.matches() || a.group(4) != null || !a.group(1).equals(r.group(1))) {
			return false;
		}
		boolean typeCovered = a.group(2).equals("*") || a.group(2).equals(r.group(2));
		return typeCovered && permissionCovers(a.group(3), r.group(3));
	}

	private static boolean permissionCovers(String allowed, String requested) {
		if (allowed.equals("*") || allowed.equals(requested)) {
			return true;
		}
		String allowedLetters = v2Letters(allowed);
		String requestedLetters = v2Letters(requested);
		for (char c : requestedLetters.toCharArray()) {
			if (allowedLetters.indexOf(c) < 0) {
				return false;
			}
		}
		return !requestedLetters.isEmpty();
	}

	private static String v2Letters(String permission) {
		return switch (permission) {
			case "read" -> "rs";
			case "write" -> "cud";
			case "*" -> "cruds";
			default -> permission;
		};
	}
}
