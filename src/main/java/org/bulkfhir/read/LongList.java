package org.bulkfhir.read;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A growing list of {@code long}s that ends as a {@link TreeSet}: sorted and made unique once, then
 * handed to the set in order, which {@code TreeSet} builds in linear time (from a {@link SortedSet}),
 * instead of one tree insertion per value.
 */
final class LongList {

	private long[] values = new long[1024];
	private int size;

	void add(long value) {
		if (size == values.length) {
			values = Arrays.copyOf(values, size * 2);
		}
		values[size++] = value;
	}

	TreeSet<Long> sortedSet() {
		Arrays.sort(values, 0, size);
		int unique = 0;
		for (int i = 0; i < size; i++) {
			if (unique == 0 || values[i] != values[unique - 1]) {
				values[unique++] = values[i];
			}
		}
		TreeSet<Long> set = new TreeSet<>();
		set.addAll(new Sorted(values, unique));
		return set;
	}

	/** Just enough of a sorted set for {@code TreeSet.addAll} to take its linear path: size and iterator. */
	private static final class Sorted extends AbstractSet<Long> implements SortedSet<Long> {

		private final long[] values;
		private final int size;

		Sorted(long[] values, int size) {
			this.values = values;
			this.size = size;
		}

		@Override
		public int size() {
			return size;
		}

		@Override
		public Iterator<Long> iterator() {
			return new Iterator<>() {
				private int next;

				@Override
				public boolean hasNext() {
					return next < size;
				}

				@Override
				public Long next() {
					if (next >= size) {
						throw new NoSuchElementException();
					}
					return values[next++];
				}
			};
		}

		@Override
		public Comparator<? super Long> comparator() {
			return null;
		}

		@Override
		public SortedSet<Long> subSet(Long from, Long to) {
			throw new UnsupportedOperationException();
		}

		@Override
		public SortedSet<Long> headSet(Long to) {
			throw new UnsupportedOperationException();
		}

		@Override
		public SortedSet<Long> tailSet(Long from) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Long first() {
			return values[0];
		}

		@Override
		public Long last() {
			return values[size - 1];
		}
	}
}
