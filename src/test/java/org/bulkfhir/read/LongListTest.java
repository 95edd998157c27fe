package org.bulkfhir.read;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class LongListTest {

	@Test
	void endsAsTheSortedSetOfWhatWasAdded() {
		Random random = new Random(7);
		LongList list = new LongList();
		TreeSet<Long> expected = new TreeSet<>();
		for (int i = 0; i < 5_000; i++) {
			long value = random.nextInt(2_000) - 1_000;
			list.add(value);
			expected.add(value);
		}
		TreeSet<Long> set = list.sortedSet();
		assertThat(set).containsExactlyElementsOf(expected);
		set.add(5_000L);
		set.remove(expected.first());
		assertThat(set.last()).isEqualTo(5_000L);
		assertThat(new LongList().sortedSet()).isEmpty();
	}
}
