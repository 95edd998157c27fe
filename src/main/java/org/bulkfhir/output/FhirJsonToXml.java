package org.bulkfhir.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Converts one FHIR R4 resource from JSON (one NDJSON line, as HAPI encodes it) to FHIR XML in one
 * pass over Jackson's tokens, without building a HAPI model. The mapping is that of
 * <a href="https://hl7.org/fhir/R4/json.html">the JSON format page</a>:
 * <ul>
 *   <li>an object with a (leading) {@code resourceType} is an element of that name in the FHIR
 *   namespace; below the root it is wrapped in an element named by its property
 *   ({@code <contained><Medication ...>});</li>
 *   <li>{@code id} is an element in a resource and an attribute in any other element; {@code url}
 *   is an attribute of an extension;</li>
 *   <li>a primitive {@code x} is {@code <x value=".."/>}, merged with the id and extensions its
 *   {@code _x} carries, element by element for arrays;</li>
 *   <li>an array repeats its element; the Narrative {@code div} is XHTML, written as it is.</li>
 * </ul>
 * Elements come in JSON order: HAPI writes JSON in definition order, which is the order XML needs.
 * Anything unexpected (not one object, no leading resourceType, nulls, empty or nested arrays, an
 * {@code _x} away from its {@code x}, names that are not FHIR names, characters XML 1.0 cannot
 * carry) throws {@link NotConvertibleException} so that the caller can fall back to HAPI.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class FhirJsonToXml {

	private static final JsonFactory JSON = new JsonFactory();
	private static final String FHIR_NAMESPACE = " xmlns=\"http://hl7.org/fhir\"";

	/** The converted resource's type and id (null when it has none). */
	public record RootResource(String type, String id) {}

	/** The JSON is not one this converter handles; HAPI may still be able to. */
	public static final class NotConvertibleException extends Exception {

		NotConvertibleException(String message) {
			super(message);
		}

		NotConvertibleException(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/** Which kind of object is being written: decides which of its properties are XML attributes. */
	private enum ObjectKind {
		RESOURCE,
		ELEMENT,
		EXTENSION,
		/** The {@code _x} object of a primitive: an id and extensions only. */
		PRIMITIVE_EXTRAS
	}

	/** The values of a primitive array, held until we know whether an {@code _x} array follows. */
	private record PrimitiveArray(String name, List<char[]> values) {}

	/** Per depth, the primitives written so far in the object: an {@code _x} must follow its {@code x}. */
	private final List<List<String>> primitiveNamesByDepth = new ArrayList<>();
	private XmlBuffer xml;
	private int depth;
	private String rootId;

	/**
	 * Appends the XML of the resource in {@code json} to {@code out}; on failure {@code out} is left
	 * as it was.
	 */
	public RootResource convert(String json, StringBuilder out) throws NotConvertibleException {
		int start = out.length();
		xml = new XmlBuffer(out);
		depth = 0;
		rootId = null;
		try (JsonParser parser = JSON.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new NotConvertibleException("Not a JSON object");
			}
			String type = writeResource(parser, parser.nextToken());
			if (parser.nextToken() != null) {
				throw new NotConvertibleException("Content after the resource");
			}
			return new RootResource(type, rootId);
		} catch (IOException e) {
			out.setLength(start);
			throw new NotConvertibleException("Unreadable JSON: " + e.getMessage(), e);
		} catch (NotConvertibleException e) {
			out.setLength(start);
			throw e;
		}
	}

	/** Writes the resource whose object has just started; {@code first} must be its resourceType. */
	private String writeResource(JsonParser parser, JsonToken first) throws IOException, NotConvertibleException {
		if (first != JsonToken.FIELD_NAME || !"resourceType".equals(parser.currentName())
				|| parser.nextToken() != JsonToken.VALUE_STRING) {
			throw new NotConvertibleException("An object without a leading resourceType");
		}
		String type = parser.getText();
		requireName(type, true);
		xml.startElement(type);
		xml.append(FHIR_NAMESPACE);
		boolean hasChildren = writeProperties(parser, ObjectKind.RESOURCE, xml.length(), parser.nextToken());
		xml.endElement(type, hasChildren);
		return type;
	}

	/** Writes the object value of property {@code name}, whose START_OBJECT has just been read. */
	private void writeObject(JsonParser parser, String name) throws IOException, NotConvertibleException {
		JsonToken first = parser.nextToken();
		if (first == JsonToken.FIELD_NAME && "resourceType".equals(parser.currentName())) {
			xml.startElement(name);
			xml.closeStartTag();
			writeResource(parser, first);
			xml.endElement(name, true);
			return;
		}
		ObjectKind kind = name.equals("extension") || name.equals("modifierExtension")
				? ObjectKind.EXTENSION
				: ObjectKind.ELEMENT;
		int attributesAt = xml.startElement(name);
		boolean hasChildren = writeProperties(parser, kind, attributesAt, first);
		requireContent(attributesAt, name);
		xml.endElement(name, hasChildren);
	}

	/**
	 * Writes the properties of an object, from {@code token} to its END_OBJECT, into the element
	 * whose start tag is still open; attributes go at {@code attributesAt}. Returns whether the
	 * start tag was closed, i.e. the element has children.
	 */
	private boolean writeProperties(JsonParser parser, ObjectKind kind, int attributesAt, JsonToken token)
			throws IOException, NotConvertibleException {
		List<String> primitiveNames = primitiveNames(++depth);
		boolean startTagClosed = false;
		PrimitiveArray pendingArray = null;
		// The single primitive just written as <x value=".."/>, which an _x right after it reopens.
		String reopenable = null;
		int reopenableAttributesAt = 0;
		for (; token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			if (isAttribute(kind, name)) {
				if (value != JsonToken.VALUE_STRING) {
					throw new NotConvertibleException("Attribute " + name + " is not a string");
				}
				attributesAt = xml.insertAttribute(attributesAt, name,
						parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
				reopenable = null;
				continue;
			}
			if (kind == ObjectKind.PRIMITIVE_EXTRAS && !name.equals("extension")) {
				throw new NotConvertibleException("Unexpected " + name + " in the _ object of a primitive");
			}
			if (!startTagClosed) {
				xml.closeStartTag();
				startTagClosed = true;
			}
			if (pendingArray != null) {
				PrimitiveArray array = pendingArray;
				pendingArray = null;
				if (isExtrasOf(name, array.name())) {
					writePrimitiveArray(parser, array, value);
					continue;
				}
				writePrimitiveArray(parser, array, null);
			}
			if (reopenable != null && isExtrasOf(name, reopenable)) {
				if (value != JsonToken.START_OBJECT) {
					throw new NotConvertibleException("_" + reopenable + " is not an object");
				}
				xml.reopenLastEmptyElement();
				boolean hasChildren =
						writeProperties(parser, ObjectKind.PRIMITIVE_EXTRAS, reopenableAttributesAt, parser.nextToken());
				xml.endElement(reopenable, hasChildren);
				reopenable = null;
				continue;
			}
			reopenable = null;
			if (name.startsWith("_")) {
				writeExtrasWithoutValue(parser, name.substring(1), value, primitiveNames);
				continue;
			}
			requireName(name, false);
			switch (value) {
				case START_OBJECT -> writeObject(parser, name);
				case START_ARRAY -> pendingArray = writeArray(parser, name, primitiveNames);
				case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
					remember(primitiveNames, name);
					if (kind == ObjectKind.ELEMENT && name.equals("div") && value == JsonToken.VALUE_STRING) {
						xml.appendXhtmlDiv(parser.getText());
					} else {
						reopenableAttributesAt = writePrimitive(parser, name);
						reopenable = name;
					}
				}
				default -> throw new NotConvertibleException("Unexpected " + value + " for " + name);
			}
		}
		if (token != JsonToken.END_OBJECT) {
			throw new NotConvertibleException("Unexpected " + token + " in an object");
		}
		if (pendingArray != null) {
			writePrimitiveArray(parser, pendingArray, null);
		}
		depth--;
		return startTagClosed;
	}

	/**
	 * Writes an array of objects element by element, or reads an array of primitives and returns
	 * it: its elements are written when we know whether an {@code _x} array follows.
	 */
	private PrimitiveArray writeArray(JsonParser parser, String name, List<String> primitiveNames)
			throws IOException, NotConvertibleException {
		JsonToken item = parser.nextToken();
		if (item == JsonToken.END_ARRAY) {
			throw new NotConvertibleException("Empty array " + name);
		}
		if (item == JsonToken.START_OBJECT) {
			for (; item != JsonToken.END_ARRAY; item = parser.nextToken()) {
				if (item != JsonToken.START_OBJECT) {
					throw new NotConvertibleException("Array " + name + " mixes objects with " + item);
				}
				writeObject(parser, name);
			}
			return null;
		}
		remember(primitiveNames, name);
		List<char[]> values = new ArrayList<>();
		for (; item != JsonToken.END_ARRAY; item = parser.nextToken()) {
			if (item == JsonToken.VALUE_NULL) {
				values.add(null);
			} else if (isPrimitive(item)) {
				int offset = parser.getTextOffset();
				values.add(Arrays.copyOfRange(parser.getTextCharacters(), offset, offset + parser.getTextLength()));
			} else {
				throw new NotConvertibleException("Array " + name + " mixes primitives with " + item);
			}
		}
		return new PrimitiveArray(name, values);
	}

	/** Writes a primitive array, merged with its {@code _x} array when {@code extras} is one. */
	private void writePrimitiveArray(JsonParser parser, PrimitiveArray array, JsonToken extras)
			throws IOException, NotConvertibleException {
		List<char[]> values = array.values();
		if (extras == null) {
			for (char[] value : values) {
				if (value == null) {
					throw new NotConvertibleException("A null in " + array.name() + " without an _" + array.name());
				}
				writePrimitive(array.name(), value);
			}
			return;
		}
		if (extras != JsonToken.START_ARRAY) {
			throw new NotConvertibleException("_" + array.name() + " is not an array");
		}
		int index = 0;
		for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken(), index++) {
			if (index >= values.size()) {
				throw new NotConvertibleException("_" + array.name() + " is longer than " + array.name());
			}
			char[] value = values.get(index);
			if (item == JsonToken.START_OBJECT) {
				writePrimitiveWithExtras(parser, array.name(), value);
			} else if (item == JsonToken.VALUE_NULL && value != null) {
				writePrimitive(array.name(), value);
			} else {
				throw new NotConvertibleException("Unexpected " + item + " in _" + array.name());
			}
		}
		if (index != values.size()) {
			throw new NotConvertibleException("_" + array.name() + " is shorter than " + array.name());
		}
	}

	/** An {@code _x} (object or array) with no {@code x}: elements with an id and extensions only. */
	private void writeExtrasWithoutValue(JsonParser parser, String name, JsonToken value, List<String> primitiveNames)
			throws IOException, NotConvertibleException {
		requireName(name, false);
		remember(primitiveNames, name);
		if (value == JsonToken.START_OBJECT) {
			writePrimitiveWithExtras(parser, name, null);
			return;
		}
		if (value != JsonToken.START_ARRAY) {
			throw new NotConvertibleException("_" + name + " is neither an object nor an array");
		}
		JsonToken item = parser.nextToken();
		if (item == JsonToken.END_ARRAY) {
			throw new NotConvertibleException("Empty array _" + name);
		}
		for (; item != JsonToken.END_ARRAY; item = parser.nextToken()) {
			if (item != JsonToken.START_OBJECT) {
				throw new NotConvertibleException("Unexpected " + item + " in _" + name + " without " + name);
			}
			writePrimitiveWithExtras(parser, name, null);
		}
	}

	/** Writes {@code <name value=".."/>} from the current token; returns where its attributes go. */
	private int writePrimitive(JsonParser parser, String name) throws IOException, NotConvertibleException {
		if (depth == 1 && name.equals("id")) {
			rootId = parser.getText();
		}
		int attributesAt = xml.startElement(name);
		xml.appendAttribute("value", parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
		xml.endElement(name, false);
		return attributesAt;
	}

	private void writePrimitive(String name, char[] value) throws NotConvertibleException {
		xml.startElement(name);
		xml.appendAttribute("value", value, 0, value.length);
		xml.endElement(name, false);
	}

	/** Writes one primitive element from its value (may be null) and its {@code _x} object, just started. */
	private void writePrimitiveWithExtras(JsonParser parser, String name, char[] value)
			throws IOException, NotConvertibleException {
		int attributesAt = xml.startElement(name);
		if (value != null) {
			xml.appendAttribute("value", value, 0, value.length);
		}
		boolean hasChildren = writeProperties(parser, ObjectKind.PRIMITIVE_EXTRAS, attributesAt, parser.nextToken());
		requireContent(attributesAt, name);
		xml.endElement(name, hasChildren);
	}

	private static boolean isAttribute(ObjectKind kind, String name) {
		return switch (kind) {
			case RESOURCE -> false;
			case ELEMENT, PRIMITIVE_EXTRAS -> name.equals("id");
			case EXTENSION -> name.equals("id") || name.equals("url");
		};
	}

	private static boolean isPrimitive(JsonToken token) {
		return token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT
				|| token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_TRUE
				|| token == JsonToken.VALUE_FALSE;
	}

	/** Whether {@code property} is {@code _name}. */
	private static boolean isExtrasOf(String property, String name) {
		return property.length() == name.length() + 1 && property.charAt(0) == '_' && property.endsWith(name);
	}

	private List<String> primitiveNames(int atDepth) {
		while (primitiveNamesByDepth.size() <= atDepth) {
			primitiveNamesByDepth.add(new ArrayList<>());
		}
		List<String> names = primitiveNamesByDepth.get(atDepth);
		names.clear();
		return names;
	}

	/** Refuses a primitive seen before in the same object: a repeated key, or an _x apart from its x. */
	private static void remember(List<String> primitiveNames, String name) throws NotConvertibleException {
		if (primitiveNames.contains(name)) {
			throw new NotConvertibleException(name + " and _" + name + " are apart, or " + name + " is repeated");
		}
		primitiveNames.add(name);
	}

	private void requireContent(int attributesAt, String name) throws NotConvertibleException {
		if (xml.length() == attributesAt) {
			throw new NotConvertibleException("Empty object for " + name);
		}
	}

	/** FHIR element and resource names are ASCII letters and digits; anything else could break the XML. */
	private static void requireName(String name, boolean resourceType) throws NotConvertibleException {
		boolean valid = !name.isEmpty() && !name.equals("resourceType")
				&& (resourceType ? isAsciiUpper(name.charAt(0)) : isAsciiLetter(name.charAt(0)));
		for (int i = 1; valid && i < name.length(); i++) {
			char c = name.charAt(i);
			valid = isAsciiLetter(c) || (c >= '0' && c <= '9');
		}
		if (!valid) {
			throw new NotConvertibleException("Not a FHIR " + (resourceType ? "resource type" : "element name") + ": " + name);
		}
	}

	private static boolean isAsciiUpper(char c) {
		return c >= 'A' && c <= 'Z';
	}

	private static boolean isAsciiLetter(char c) {
		return isAsciiUpper(c) || (c >= 'a' && c <= 'z');
	}
}
