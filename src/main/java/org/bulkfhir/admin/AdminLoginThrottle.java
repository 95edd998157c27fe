package org.bulkfhir.admin;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed admin logins per source address: once an address has failed {@code maxFailures} times
 * within {@code window}, it is locked for one window, and every admin request from it is refused,
 * the right password included. In memory, per node; at most {@value #MAX_ADDRESSES} addresses are
 * tracked (the oldest are dropped first).
 */
public class AdminLoginThrottle {

	static final int MAX_ADDRESSES = 10_000;

	private final int maxFailures;
	private final long windowMillis;
	private final Map<String, Deque<Long>> failures = new LinkedHashMap<>();
	private final Map<String, Long> lockedUntil = new LinkedHashMap<>();

	public AdminLoginThrottle(int maxFailures, Duration window) {
		this.maxFailures = maxFailures;
		this.windowMillis = window.toMillis();
	}

	/** Seconds the address must still wait, or 0 if it may try now. */
	public synchronized long secondsLocked(String address) {
		if (maxFailures <= 0) {
			return 0;
		}
		Long until = lockedUntil.get(address);
		long now = System.currentTimeMillis();
		if (until == null || until <= now) {
			lockedUntil.remove(address);
			return 0;
		}
		return Math.max(1, (until - now + 999) / 1000);
	}

	/** Records a failed login; locks the address once it has failed too often within the window. */
	public synchronized void failed(String address) {
		if (maxFailures <= 0) {
			return;
		}
		long now = System.currentTimeMillis();
		Deque<Long> times = failures.get(address);
		if (times == null) {
			makeRoom(now);
			times = new ArrayDeque<>();
			failures.put(address, times);
		}
		times.addLast(now);
		while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
			times.removeFirst();
		}
		if (times.size() >= maxFailures) {
			failures.remove(address);
			lockedUntil.put(address, now + windowMillis);
		}
	}

	private void makeRoom(long now) {
		if (failures.size() + lockedUntil.size() < MAX_ADDRESSES) {
			return;
		}
		failures.values().removeIf(times -> times.isEmpty() || times.peekLast() <= now - windowMillis);
		lockedUntil.values().removeIf(until -> until <= now);
		Iterator<String> oldest = failures.keySet().iterator();
		while (failures.size() + lockedUntil.size() >= MAX_ADDRESSES && oldest.hasNext()) {
			oldest.next();
			oldest.remove();
		}
	}
}
