package org.bulkfhir.output;

import org.bulkfhir.output.FhirJsonToXml.NotConvertibleException;

/**
 * The XML of one resource, written into a {@link StringBuilder} so that an attribute that arrives
 * after the children of its element can still be put into the start tag, and so that a conversion
 * that fails part-way is simply discarded.
 *
 * <p>Escaping follows what HAPI's XML encoder writes: {@code & < "} and TAB, LF and CR as
 * character references (so attribute-value normalisation does not turn them into spaces);
 * {@code >} needs no escaping in an attribute value and is left as it is. Characters that XML 1.0
 * cannot carry are refused.
 */
final class XmlBuffer {

	private static final String XHTML_NAMESPACE = " xmlns=\"http://www.w3.org/1999/xhtml\"";

	private final StringBuilder out;
	private final StringBuilder lateAttribute = new StringBuilder(64);

	XmlBuffer(StringBuilder out) {
		this.out = out;
	}

	int length() {
		return out.length();
	}

	/** Writes {@code <name} and returns where its attributes go. */
	int startElement(String name) {
		out.append('<').append(name);
		return out.length();
	}

	void closeStartTag() {
		out.append('>');
	}

	void endElement(String name, boolean startTagClosed) {
		if (startTagClosed) {
			out.append("</").append(name).append('>');
		} else {
			out.append("/>");
		}
	}

	/** Turns the just-written {@code <name .../>} back into an open start tag. */
	void reopenLastEmptyElement() {
		int length = out.length();
		if (length < 2 || out.charAt(length - 2) != '/' || out.charAt(length - 1) != '>') {
			throw new IllegalStateException("The last element is not an empty element");
		}
		out.setLength(length - 2);
	}

	void append(String text) {
		out.append(text);
	}

	void appendAttribute(String name, char[] value, int offset, int length) throws NotConvertibleException {
		appendAttribute(out, name, value, offset, length);
	}

	/**
	 * Puts an attribute at {@code position} (inside a start tag, possibly one already followed by
	 * children) and returns the position after it.
	 */
	int insertAttribute(int position, String name, char[] value, int offset, int length)
			throws NotConvertibleException {
		if (position == out.length()) {
			appendAttribute(out, name, value, offset, length);
			return out.length();
		}
		lateAttribute.setLength(0);
		appendAttribute(lateAttribute, name, value, offset, length);
		out.insert(position, lateAttribute);
		return position + lateAttribute.length();
	}

	private static void appendAttribute(StringBuilder target, String name, char[] value, int offset, int length)
			throws NotConvertibleException {
		if (length == 0) {
			throw new NotConvertibleException("Empty value in attribute " + name);
		}
		target.append(' ').append(name).append("=\"");
		appendEscaped(target, value, offset, length);
		target.append('"');
	}

	private static void appendEscaped(StringBuilder target, char[] text, int offset, int length)
			throws NotConvertibleException {
		int end = offset + length;
		int unwritten = offset;
		for (int i = offset; i < end; i++) {
			char c = text[i];
			if (c >= 0x20 && c < 0xD800 && c != '&' && c != '<' && c != '"') {
				continue;
			}
			String reference;
			switch (c) {
				case '&' -> reference = "&amp;";
				case '<' -> reference = "&lt;";
				case '"' -> reference = "&quot;";
				case '\t' -> reference = "&#x9;";
				case '\n' -> reference = "&#xa;";
				case '\r' -> reference = "&#xd;";
				default -> {
					if (isSurrogatePair(text[i], i + 1 < end ? text[i + 1] : 0)) {
						i++;
					} else {
						requireXmlCharacter(c);
					}
					continue;
				}
			}
			target.append(text, unwritten, i - unwritten).append(reference);
			unwritten = i + 1;
		}
		target.append(text, unwritten, end - unwritten);
	}

	private static boolean isSurrogatePair(char high, char low) {
		return Character.isHighSurrogate(high) && Character.isLowSurrogate(low);
	}

	private static void requireXmlCharacter(int codePoint) throws NotConvertibleException {
		if (!isXmlCharacter(codePoint)) {
			throw new NotConvertibleException(String.format("Character U+%04X cannot be written in XML 1.0", codePoint));
		}
	}

	/** The Char production of XML 1.0 (a lone surrogate is not a character). */
	private static boolean isXmlCharacter(int codePoint) {
		return codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD
				|| (codePoint >= 0x20 && codePoint <= 0xD7FF)
				|| (codePoint >= 0xE000 && codePoint <= 0xFFFD)
				|| (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
	}

	/**
	 * Writes a Narrative div as it is: HAPI stores it as well-formed XHTML in the XHTML namespace.
	 * Only cheap checks are made (namespace, end tag, characters, entity references), enough to
	 * refuse the div of a JSON that HAPI did not write rather than emit broken XML.
	 */
	void appendXhtmlDiv(String div) throws NotConvertibleException {
		int length = div.length();
		// HAPI escapes > in attribute values, so the first > ends the start tag.
		int startTagEnd = div.indexOf('>');
		boolean plausible = div.startsWith("<div ")
				&& startTagEnd > 0
				&& div.lastIndexOf(XHTML_NAMESPACE, startTagEnd) > 0
				&& (div.endsWith("</div>") || div.endsWith("/>"));
		if (!plausible) {
			throw new NotConvertibleException("Narrative div is not an XHTML div element");
		}
		for (int i = 0; i < length; i++) {
			char c = div.charAt(i);
			if (c == '&') {
				i = checkEntityReference(div, i);
			} else if (c == '\r') {
				// An XML reader would turn a raw CR into LF; refuse rather than change the text.
				throw new NotConvertibleException("Narrative div contains a carriage return");
			} else if (c < 0x20 || c >= 0xD800) {
				if (isSurrogatePair(c, i + 1 < length ? div.charAt(i + 1) : 0)) {
					i++;
				} else {
					requireXmlCharacter(c);
				}
			}
		}
		out.append(div);
	}

	/** XML knows five named entities and character references; HTML entities such as nbsp break it. */
	private static int checkEntityReference(String text, int ampersand) throws NotConvertibleException {
		int semicolon = text.indexOf(';', ampersand);
		if (semicolon > ampersand + 1 && semicolon - ampersand <= 10) {
			String name = text.substring(ampersand + 1, semicolon);
			switch (name) {
				case "amp", "lt", "gt", "quot", "apos" -> {
					return semicolon;
				}
				default -> {
					if (isLegalCharacterReference(name)) {
						return semicolon;
					}
				}
			}
		}
		throw new NotConvertibleException("Narrative div has an entity reference XML does not define");
	}

	private static boolean isLegalCharacterReference(String name) {
		boolean hex = name.startsWith("#x");
		int firstDigit = hex ? 2 : 1;
		if (name.charAt(0) != '#' || name.length() <= firstDigit || name.length() > firstDigit + 7) {
			return false;
		}
		int codePoint = 0;
		for (int i = firstDigit; i < name.length(); i++) {
			int digit = asciiDigit(name.charAt(i), hex ? 16 : 10);
			if (digit < 0) {
				return false;
			}
			codePoint = codePoint * (hex ? 16 : 10) + digit;
		}
		return isXmlCharacter(codePoint);
	}

	private static int asciiDigit(char c, int radix) {
		return c < 0x80 ? Character.digit(c, radix) : -1;
	}
}
