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
		ChunkResult result = new ChunkResult(1, List.of(), List.of(), 0, java.util.Map.of("Practitioner", List.of(7L)),
				List.of(3L, 4L), null);

		ChunkResult stored = JsonUtil.deserialize(JsonUtil.serialize(result), ChunkResult.class);

		assertThat(stored.sharedProvenancePids()).containsExactly(3L, 4L);
		assertThat(stored.referencedPids()).containsOnlyKeys("Practitioner");
	}

	@Test
	void aResultOfAnEarlierReleaseWithTheProvenanceKeyIsReadAsSharedProvenance() {
		String earlier = "{\"sequence\":2,\"files\":[],\"errorFiles\":[],\"readByHapi\":0,"
				+ "\"referencedPids\":{\"Organization\":[9],\"Provenance\":[5,6]}}";

		ChunkResult stored = JsonUtil.deserialize(earlier, ChunkResult.class);

		assertThat(stored.sharedProvenancePids()).containsExactly(5L, 6L);
		assertThat(stored.referencedPids()).containsOnlyKeys("Organization");
		assertThat(stored.sequence()).isEqualTo(2);
	}

	@Test
	void blockOwnersTravelAndAnEarlierResultWithoutThemReadsEmpty() {
		ChunkResult result = new ChunkResult(3, List.of(), List.of(), 1, null, null, java.util.Map.of(11L, 5L));

		ChunkResult stored = JsonUtil.deserialize(JsonUtil.serialize(result), ChunkResult.class);

		assertThat(stored.blockOwners()).containsExactly(org.assertj.core.api.Assertions.entry(11L, 5L));
		assertThat(stored.readByHapi()).isEqualTo(1);
		assertThat(JsonUtil.deserialize("{\"sequence\":1}", ChunkResult.class).blockOwners()).isEmpty();
	}
}
