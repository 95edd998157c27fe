package org.bulkfhir.export;

import ca.uhn.fhir.util.JsonUtil;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chunk's shared Provenance travels in a field of its own, as batch2 stores the result (JSON):
 * it no longer shares the referenced-resources map under a magic type key, and a result stored by
 * an earlier release with that key (a chunk written before a rolling upgrade) is still read right.
 */
class ChunkResultTest {

	@Test
	void sharedProvenanceTravelsInItsOwnField() {
		ChunkResult result = new ChunkResult();
		result.getReferencedPids().put("Practitioner", List.of(7L));
		result.getSharedProvenancePids().addAll(List.of(3L, 4L));

		ChunkResult stored = JsonUtil.deserialize(JsonUtil.serialize(result), ChunkResult.class);

		assertThat(stored.getSharedProvenancePids()).containsExactly(3L, 4L);
		assertThat(stored.getReferencedPids()).containsOnlyKeys("Practitioner");
	}

	@Test
	void aResultOfAnEarlierReleaseWithTheProvenanceKeyIsReadAsSharedProvenance() {
		String earlier = "{\"sequence\":2,\"files\":[],\"errorFiles\":[],\"readByHapi\":0,"
				+ "\"referencedPids\":{\"Organization\":[9],\"Provenance\":[5,6]}}";

		ChunkResult stored = JsonUtil.deserialize(earlier, ChunkResult.class);

		assertThat(stored.getSharedProvenancePids()).containsExactly(5L, 6L);
		assertThat(stored.getReferencedPids()).containsOnlyKeys("Organization");
		assertThat(stored.getSequence()).isEqualTo(2);
	}
}
