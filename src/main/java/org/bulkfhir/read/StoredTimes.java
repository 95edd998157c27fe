package org.bulkfhir.read;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's stored timestamps (columns without zone holding the server's wall time) as instants and as
 * the text HAPI's read gives them. The JDBC driver's {@code getTimestamp} sets up a {@code Calendar}
 * for every value, and a formatter per resource was as costly (together a sixth of the reader's own
 * time on PostgreSQL); here the wall time is read as a {@link LocalDateTime} and both conversions are
 * computed once per minute and reused, with the same results: the instant {@link Timestamp#valueOf}
 * gives (the driver's and Hibernate's interpretation in the server's zone) and the text of HAPI's
 * {@code InstantType} in that zone.
 */
final class StoredTimes {

	private static final int MAX_CACHED = 50_000;
	private static final long MINUTE = 60_000;

	private final DateTimeFormatter format;
	/** Wall-clock minute (minutes since 1970-01-01T00:00 wall time) → wall millis minus instant millis. */
	private final Map<Long, Long> offsetByWallMinute = new ConcurrentHashMap<>();
	/** Instant minute → the text of its first millisecond, split around "ss.SSS". */
	private final Map<Long, String[]> textByMinute = new ConcurrentHashMap<>();

	StoredTimes(ZoneId zone) {
		this.format = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(zone);
	}

	static StoredTimes inServerZone() {
		return new StoredTimes(ZoneId.systemDefault());
	}

	/** The instant of a stored wall time, as {@code Timestamp.valueOf(wall).getTime()}. */
	long epochMillis(LocalDateTime wall) {
		long wallMillis = wall.toEpochSecond(ZoneOffset.UTC) * 1000 + wall.getNano() / 1_000_000;
		long minute = Math.floorDiv(wallMillis, MINUTE);
		Long offset = offsetByWallMinute.get(minute);
		if (offset == null) {
			offset = minute * MINUTE - Timestamp.valueOf(LocalDateTime.ofEpochSecond(minute * 60, 0, ZoneOffset.UTC)).getTime();
			cache(offsetByWallMinute, minute, offset);
		}
		return wallMillis - offset;
	}

	/** {@code meta.lastUpdated} as HAPI's {@code InstantType} prints this instant (milliseconds, the zone's offset). */
	String lastUpdated(long epochMillis) {
		return appendLastUpdated(new StringBuilder(29), epochMillis).toString();
	}

	/** Appends {@link #lastUpdated} to {@code out}, without a String of its own. */
	StringBuilder appendLastUpdated(StringBuilder out, long epochMillis) {
		long minute = Math.floorDiv(epochMillis, MINUTE);
		String[] parts = textByMinute.get(minute);
		if (parts == null) {
			String text = format.format(Instant.ofEpochMilli(minute * MINUTE));
			int seconds = text.lastIndexOf(':', text.indexOf('.'));
			if (!text.startsWith("00.000", seconds + 1)) {
				// An offset with seconds (local mean time before about 1900): minutes of wall time and of the
				// instant do not line up.
				return out.append(format.format(Instant.ofEpochMilli(epochMillis)));
			}
			parts = new String[] {text.substring(0, seconds + 1), text.substring(seconds + 7)};
			cache(textByMinute, minute, parts);
		}
		int inMinute = (int) Math.floorMod(epochMillis, MINUTE);
		int second = inMinute / 1000;
		int milli = inMinute % 1000;
		out.append(parts[0]);
		out.append((char) ('0' + second / 10)).append((char) ('0' + second % 10)).append('.');
		out.append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10)).append((char) ('0' + milli % 10));
		return out.append(parts[1]);
	}

	private static <V> void cache(Map<Long, V> cache, long key, V value) {
		if (cache.size() >= MAX_CACHED) {
			cache.clear();
		}
		cache.put(key, value);
	}
}
