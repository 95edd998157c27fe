package org.bulkfhir.read;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One tag, security label or profile of a stored resource version, as HAPI keeps it in
 * {@code HFJ_TAG_DEF} (joined from {@code HFJ_HISTORY_TAG} or {@code HFJ_RES_TAG}).
 *
 * <p>{@link #appendMeta} renders a version's list the way HAPI's read renders it for FHIR R4
 * ({@code JpaStorageResourceParser.populateResourceMetadataRi}, then {@code MetaTagSorterAlphabetical}):
 * profiles as canonical strings, security labels with system, code and display only, tags with
 * system, version, code, display and userSelected; each list sorted by system, then code (profiles by
 * value), nulls first.
 */
public record StoredTag(
		int type, String system, String code, String display, String version, Boolean userSelected, String json) {

	/** {@code TagTypeEnum} ordinals, as HAPI stores them in {@code TAG_TYPE}. */
	public static final int TAG = 0;
	public static final int PROFILE = 1;
	public static final int SECURITY_LABEL = 2;

	private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());
	private static final Comparator<StoredTag> CODINGS =
			Comparator.comparing(StoredTag::system, NULLS_FIRST).thenComparing(StoredTag::code, NULLS_FIRST);

	/** A tag definition with its JSON (a profile's quoted canonical, a label's or tag's Coding) rendered once. */
	public static StoredTag of(int type, String system, String code, String display, String version, Boolean userSelected) {
		StringBuilder json = new StringBuilder(64);
		StoredTag tag = new StoredTag(type, system, code, display, version, userSelected, null);
		switch (type) {
			case PROFILE -> {
				if (present(code)) {
					json.append('"');
					quote(json, code);
					json.append('"');
				}
			}
			case SECURITY_LABEL -> tag.appendCoding(json, false);
			case TAG -> tag.appendCoding(json, true);
			default -> {
				// a tag type this HAPI version does not know: HAPI's read ignores it too
			}
		}
		return new StoredTag(type, system, code, display, version, userSelected, json.length() <= 2 ? null : json.toString());
	}

	/** Appends {@code ,"profile":[…],"security":[…],"tag":[…]} (each only when not empty) to a meta object. */
	public static void appendMeta(StringBuilder out, List<StoredTag> tags) {
		List<StoredTag> profiles = new ArrayList<>(2);
		List<StoredTag> security = new ArrayList<>(2);
		List<StoredTag> codings = new ArrayList<>(2);
		for (StoredTag tag : tags) {
			if (tag.json == null) {
				continue; // nothing HAPI would encode
			}
			switch (tag.type) {
				case PROFILE -> profiles.add(tag);
				case SECURITY_LABEL -> security.add(tag);
				case TAG -> codings.add(tag);
				default -> {
					// not rendered
				}
			}
		}
		if (!profiles.isEmpty()) {
			profiles.sort(Comparator.comparing(StoredTag::code, NULLS_FIRST));
			append(out, "profile", profiles);
		}
		if (!security.isEmpty()) {
			security.sort(CODINGS);
			append(out, "security", security);
		}
		if (!codings.isEmpty()) {
			codings.sort(CODINGS);
			append(out, "tag", codings);
		}
	}

	private static void append(StringBuilder out, String name, List<StoredTag> tags) {
		out.append(",\"").append(name).append("\":[");
		for (int i = 0; i < tags.size(); i++) {
			if (i > 0) {
				out.append(',');
			}
			out.append(tags.get(i).json);
		}
		out.append(']');
	}

	/** A Coding in HAPI's element order: system, version, code, display, userSelected. */
	private void appendCoding(StringBuilder out, boolean withVersionAndUserSelected) {
		out.append('{');
		boolean first = field(out, true, "system", system);
		if (withVersionAndUserSelected) {
			first = field(out, first, "version", version);
		}
		first = field(out, first, "code", code);
		first = field(out, first, "display", display);
		if (withVersionAndUserSelected && userSelected != null) {
			out.append(first ? "" : ",").append("\"userSelected\":").append(userSelected.booleanValue());
		}
		out.append('}');
	}

	private static boolean field(StringBuilder out, boolean first, String name, String value) {
		if (!present(value)) {
			return first;
		}
		out.append(first ? "\"" : ",\"").append(name).append("\":\"");
		quote(out, value);
		out.append('"');
		return false;
	}

	/** HAPI does not encode an empty string. */
	private static boolean present(String value) {
		return value != null && !value.isEmpty();
	}

	/** Appends {@code value} as the inside of a JSON string; most values (ids, URIs) need no escape. */
	static void quote(StringBuilder out, String value) {
		if (needsEscape(value)) {
			JsonStringEncoder.getInstance().quoteAsString(value, out);
		} else {
			out.append(value);
		}
	}

	/** Whether Jackson would escape any character: controls, quote, backslash (it leaves others as they are). */
	private static boolean needsEscape(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c == '"' || c == '\\') {
				return true;
			}
		}
		return false;
	}
}
