package org.bulkfhir.read;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StoredTagTest {

	@Test
	void quotingEscapesExactlyAsJacksonDoes() {
		String[] values = {
			"pt-0001", "http://example.org/fhir/StructureDefinition/us-core-patient|7.0.0", "a\"quote", "back\\slash",
			"tab\there", "line\nbreak", "nul\u0000", "unit\u001f", "del\u007f", "é ü 中文 😀", "/slash/", ""
		};
		for (String value : values) {
			StringBuilder ours = new StringBuilder("[");
			StoredTag.quote(ours, value);
			StringBuilder jackson = new StringBuilder("[");
			JsonStringEncoder.getInstance().quoteAsString(value, jackson);
			assertThat(ours.toString()).as(value).isEqualTo(jackson.toString());
		}
	}
}
