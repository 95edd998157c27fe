package org.bulkfhir.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * A value that is expensive to read (a query, a directory walk), read again only when older than
 * the cache time: a scrape reads several gauges of one source, and several scrapers may ask at
 * once. When a read fails, the last value stays and the failure is logged at WARN once per cache time.
 */
abstract class CachedValue<T> {

	private static final Logger LOG = LoggerFactory.getLogger(CachedValue.class);

	private final long cacheNanos;
	private T value;
	private long loadedAt;
	private boolean loaded;

	CachedValue(Duration cacheTime, T initial) {
		this.cacheNanos = cacheTime.toNanos();
		this.value = initial;
	}

	synchronized T get() {
		long now = System.nanoTime();
		if (!loaded || now - loadedAt >= cacheNanos) {
			loaded = true;
			loadedAt = now;
			try {
				value = load();
			} catch (Exception e) {
				LOG.warn("bulkfhir metrics: could not read {}: {}", getClass().getSimpleName(), e.toString());
			}
		}
		return value;
	}

	protected abstract T load() throws Exception;
}
