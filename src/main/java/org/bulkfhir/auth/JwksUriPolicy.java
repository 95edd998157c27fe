package org.bulkfhir.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Where a client's {@code jwksUri} may point, so that registering an app cannot make the server
 * fetch from its own network (SSRF): https only, and every address the host resolves to must be a
 * public unicast address — no private, loopback, link-local, unique-local, CGNAT, reserved or
 * multicast address, no cloud metadata service ({@code 169.254.169.254}, {@code fd00:ec2::254},
 * {@code metadata.google.internal}…). Checked at registration and again, after DNS resolution, at
 * every fetch (see {@link JwksFetcher}), so a name that later resolves elsewhere gains nothing.
 *
 * <p>{@code bulkfhir.auth.allow-loopback-jwks-uri} (development and tests) lets loopback addresses
 * through, and only for them also plain http.
 */
public final class JwksUriPolicy {

	private static final Set<String> METADATA_NAMES =
			Set.of("metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal");
	private static final Set<String> PRIVATE_SUFFIXES =
			Set.of(".internal", ".local", ".localdomain", ".home.arpa", ".intranet", ".lan", ".corp");

	private final boolean allowLoopback;

	public JwksUriPolicy(boolean allowLoopback) {
		this.allowLoopback = allowLoopback;
	}

	/**
	 * Registration: refuses (IllegalArgumentException, message for the operator) a URI that is not
	 * https, names a private host, or resolves to a refused address. A name that does not resolve
	 * yet is accepted; every fetch checks it again.
	 */
	public void checkRegistration(String jwksUri) {
		URI uri = parse(jwksUri);
		String host = host(uri);
		checkName(host);
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(host);
		} catch (UnknownHostException notResolvableNow) {
			addresses = null;
		}
		if (addresses != null) {
			for (InetAddress address : addresses) {
				checkAddress(host, address);
			}
		}
		checkScheme(uri, addresses);
	}

	/** Fetch time: the scheme of the URL to fetch. */
	void checkScheme(URI uri, InetAddress[] resolved) {
		if ("https".equalsIgnoreCase(uri.getScheme())) {
			return;
		}
		boolean loopbackOnly = resolved != null && resolved.length > 0;
		if (resolved != null) {
			for (InetAddress address : resolved) {
				loopbackOnly &= address.isLoopbackAddress();
			}
		}
		if (!(allowLoopback && loopbackOnly)) {
			throw new IllegalArgumentException("jwksUri must be an https URL" + (allowLoopback
					? " (plain http only on loopback, with bulkfhir.auth.allow-loopback-jwks-uri)" : ""));
		}
	}

	/**
	 * Fetch time: resolves the host and returns its addresses, all of them allowed; the connection
	 * then goes to exactly these addresses.
	 */
	InetAddress[] resolve(String host) throws UnknownHostException {
		String name = stripBrackets(host);
		try {
			checkName(name);
			InetAddress[] addresses = InetAddress.getAllByName(name);
			for (InetAddress address : addresses) {
				checkAddress(name, address);
			}
			return addresses;
		} catch (IllegalArgumentException refused) {
			throw new UnknownHostException(refused.getMessage());
		}
	}

	static URI parse(String jwksUri) {
		URI uri;
		try {
			uri = new URI(jwksUri.strip());
		} catch (URISyntaxException e) {
			throw new IllegalArgumentException("jwksUri is not a URL");
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!scheme.equals("https") && !scheme.equals("http")) {
			throw new IllegalArgumentException("jwksUri must be an https URL");
		}
		if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
			throw new IllegalArgumentException("jwksUri must be an https URL with a host, without user info or fragment");
		}
		return uri;
	}

	static String host(URI uri) {
		return stripBrackets(uri.getHost());
	}

	private static String stripBrackets(String host) {
		return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
	}

	private void checkName(String host) {
		String name = host.toLowerCase(Locale.ROOT);
		while (name.endsWith(".")) {
			name = name.substring(0, name.length() - 1);
		}
		if (name.equals("localhost") || name.endsWith(".localhost")) {
			if (!allowLoopback) {
				throw refused(host, "is this machine (loopback)");
			}
			return;
		}
		if (METADATA_NAMES.contains(name)) {
			throw refused(host, "is a cloud metadata service");
		}
		if (PRIVATE_SUFFIXES.stream().anyMatch(name::endsWith)) {
			throw refused(host, "is a private network name");
		}
		if (name.indexOf('.') < 0 && name.indexOf(':') < 0) {
			throw refused(host, "is a single-label (intranet) name");
		}
	}

	private void checkAddress(String host, InetAddress address) {
		if (address.isLoopbackAddress()) {
			if (!allowLoopback) {
				throw refused(host, "resolves to this machine (loopback " + address.getHostAddress() + ")");
			}
			return;
		}
		String why = address instanceof Inet4Address v4 ? forbiddenV4(v4.getAddress()) : forbiddenV6((Inet6Address) address);
		if (why != null) {
			throw refused(host, "resolves to " + address.getHostAddress() + ", " + why);
		}
	}

	/** Why an IPv4 address is not a public unicast address, or null when it is. */
	private static String forbiddenV4(byte[] b) {
		int a0 = b[0] & 0xFF;
		int a1 = b[1] & 0xFF;
		int a2 = b[2] & 0xFF;
		if (a0 == 0) {
			return "a 'this network' address";
		}
		if (a0 == 10 || (a0 == 172 && (a1 & 0xF0) == 16) || (a0 == 192 && a1 == 168)) {
			return "a private address";
		}
		if (a0 == 100 && (a1 & 0xC0) == 64) {
			return "a carrier-grade NAT address";
		}
		if (a0 == 169 && a1 == 254) {
			return "a link-local address (cloud metadata services live here)";
		}
		if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) {
			return "a reserved address";
		}
		if ((a0 == 192 && a1 == 88 && a2 == 99) || (a0 == 198 && (a1 & 0xFE) == 18)
				|| (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
			return "a reserved address";
		}
		if (a0 >= 224) {
			return "a multicast or reserved address";
		}
		return null;
	}

	/** Only global unicast (2000::/3) counts, without the documentation, Teredo/ORCHID and 6to4 ranges. */
	private static String forbiddenV6(Inet6Address address) {
		byte[] b = address.getAddress();
		if (isV4Embedded(b)) {
			byte[] v4 = {b[12], b[13], b[14], b[15]};
			String why = forbiddenV4(v4);
			return why != null ? why : "an IPv4-mapped or -compatible address";
		}
		if ((b[0] & 0xE0) != 0x20) {
			if ((b[0] & 0xFE) == 0xFC) {
				return "a unique-local address (cloud metadata services live here)";
			}
			if ((b[0] & 0xFF) == 0xFE && (b[1] & 0xC0) == 0x80) {
				return "a link-local address";
			}
			return "not a global unicast address";
		}
		int first = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
		int second = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
		if (first == 0x2001 && (second == 0x0db8 || second < 0x0200)) {
			return "a documentation or special-purpose address";
		}
		if (first == 0x2002) {
			return "a 6to4 address";
		}
		return null;
	}

	private static boolean isV4Embedded(byte[] b) {
		for (int i = 0; i < 10; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		boolean mapped = (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
		boolean compatible = b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
		return mapped || compatible;
	}

	private IllegalArgumentException refused(String host, String why) {
		return new IllegalArgumentException("jwksUri host " + host + " " + why + "; the server fetches keys only from"
				+ " public https addresses" + (allowLoopback ? " (and loopback)" : ""));
	}
}
