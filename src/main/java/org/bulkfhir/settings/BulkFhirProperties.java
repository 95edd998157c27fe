package org.bulkfhir.settings;

import org.bulkfhir.errors.GenericErrorInterceptor;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every {@code bulkfhir.*} setting, with its default: immutable, bound once by Spring Boot through the
 * constructors ({@code BulkFhirConfiguration} enables it); {@code docs/configuration.md} lists them for
 * operators. Spring Boot checks them against {@link SettingsRules} when it binds them, so a bad value
 * stops the start-up with a message naming the setting.
 *
 * @param storage where export files go and how much they may take
 * @param export how exports are cut into work, files and manifests, and how long they live
 * @param auth SMART Backend Services and access tokens
 * @param admin the admin UI's login
 * @param errors generic answers for internal errors
 * @param cluster how the nodes of a cluster tell that one of them died
 * @param metrics the plugin's meters
 * @param clients clients declared in configuration (read-only; the admin API adds more to the database)
 * @param publicBaseUrl the FHIR base URL clients use (e.g. {@code https://fhir.example.org/fhir}); the
 *     token URL is this plus {@code /auth/token}, and client assertions must name exactly that as
 *     {@code aud}. Unset: {@code hapi.fhir.server_address} if the host sets it, else
 *     {@code http://localhost:${server.port:8080}/fhir}. Never taken from a request's Host header.
 */
@ConfigurationProperties("bulkfhir")
public record BulkFhirProperties(
		@DefaultValue Storage storage,
		@DefaultValue Export export,
		@DefaultValue Auth auth,
		@DefaultValue Admin admin,
		@DefaultValue ErrorAnswers errors,
		@DefaultValue Cluster cluster,
		@DefaultValue Metrics metrics,
		@DefaultValue List<Client> clients,
		String publicBaseUrl) implements Validator {

	/** The settings as they are with nothing configured. */
	public static BulkFhirProperties defaults() {
		return bind(Map.of());
	}

	/** The settings bound from {@code values} (names below {@code bulkfhir.}, e.g. {@code export.expiry}). */
	public static BulkFhirProperties bind(Map<String, String> values) {
		Map<String, String> named = new java.util.HashMap<>();
		values.forEach((name, value) -> named.put("bulkfhir." + name, value));
		return new Binder(new MapConfigurationPropertySource(named))
				.bindOrCreate("bulkfhir", Bindable.of(BulkFhirProperties.class));
	}

	@Override
	public boolean supports(Class<?> type) {
		return BulkFhirProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		SettingsRules.check((BulkFhirProperties) target, errors);
	}

	/**
	 * Generic answers for internal errors (see {@code GenericErrorInterceptor}).
	 *
	 * @param scope ALL: every request of every RestfulServer; BULK: only $export, $export-status and $export-file
	 */
	public record ErrorAnswers(@DefaultValue("ALL") GenericErrorInterceptor.Scope scope) {}

	/**
	 * The plugin's meters in the host's Micrometer registry (see {@code org.bulkfhir.metrics}).
	 *
	 * @param enabled off: no meter of the plugin is registered, even when the host has a registry
	 * @param clientLabel export meters carry the client id as label {@code client} (bounded by the registered clients)
	 * @param gaugeCache the job and storage gauges read the database and the export directory at most this often
	 */
	public record Metrics(
			@DefaultValue("true") boolean enabled,
			@DefaultValue("true") boolean clientLabel,
			@DefaultValue("5s") Duration gaugeCache) {}

	/**
	 * How the nodes of a cluster tell that one of them died, so that its export work is run again.
	 *
	 * @param heartbeatInterval how often a node records that it is alive
	 * @param nodeTimeout a node whose heartbeat has not moved for this long is dead; its export work goes to the others
	 */
	public record Cluster(
			@DefaultValue("2s") Duration heartbeatInterval,
			@DefaultValue("10s") Duration nodeTimeout) {}

	/**
	 * @param enabled off: bulk endpoints are open and jobs belong to nobody (for tests and closed networks only)
	 * @param protectFhirApi every FHIR interaction of the host's RestfulServer (not only bulk export) needs a
	 *     token whose scopes allow it. Off by default in the drop-in jar (the host may protect its API
	 *     itself); the runnable WAR turns it on.
	 * @param tokenLifetime lifetime of the access tokens this server issues
	 * @param jwksTimeout timeout for fetching a client's JWKS from its jwksUri
	 * @param jwksCache how long a fetched JWKS is cached
	 * @param allowLoopbackJwksUri development and tests only: a client's jwksUri may be on this machine
	 *     (loopback), over http too. Private, link-local and metadata addresses stay refused.
	 * @param signingKeyFile the key that signs access tokens: a PEM (PKCS#8 or PKCS#1) or JWK file with an
	 *     RSA private key of at least 2048 bits, re-read when it changes. Unset: a key generated once and
	 *     kept in the database ({@code BF_SIGNING_KEY}).
	 * @param external an external OAuth server whose access tokens are accepted too
	 */
	public record Auth(
			@DefaultValue("true") boolean enabled,
			@DefaultValue("false") boolean protectFhirApi,
			@DefaultValue("5m") Duration tokenLifetime,
			@DefaultValue("5s") Duration jwksTimeout,
			@DefaultValue("5m") Duration jwksCache,
			@DefaultValue("false") boolean allowLoopbackJwksUri,
			String signingKeyFile,
			@DefaultValue External external) {}

	/**
	 * An external OAuth server whose access tokens are accepted too (e.g. Keycloak).
	 *
	 * @param issuer the {@code iss} of its tokens
	 * @param jwksUri where its signing keys are published
	 * @param audience required with an issuer: the {@code aud} its tokens must carry for this server
	 * @param appTypeClaim claim holding the app type (system, patient, user)
	 */
	public record External(
			String issuer,
			String jwksUri,
			String audience,
			@DefaultValue("app_type") String appTypeClaim) {}

	/**
	 * @param username the admin login
	 * @param password no default: without a password every admin URL answers 401. At least 12 characters when set.
	 * @param maxFailedLogins failed logins from one address within the window that lock the address (429) for a window
	 * @param failedLoginWindow that window
	 */
	public record Admin(
			@DefaultValue("admin") String username,
			String password,
			@DefaultValue("10") int maxFailedLogins,
			@DefaultValue("1m") Duration failedLoginWindow) {}

	/**
	 * A client registration in configuration.
	 *
	 * @param clientId its {@code client_id}
	 * @param name the name the admin UI shows
	 * @param appType system, patient or user; only system apps may export
	 * @param jwks its public keys, inline
	 * @param jwksUri or where it publishes them
	 * @param scopes the SMART scopes it may be granted, space-separated
	 * @param enabled off: its tokens are refused
	 */
	public record Client(
			String clientId,
			String name,
			@DefaultValue("system") String appType,
			String jwks,
			String jwksUri,
			@DefaultValue("system/*.read") String scopes,
			@DefaultValue("true") boolean enabled) {}

	/**
	 * @param directory directory that holds export files; each job gets a sub-directory
	 * @param maxTotalBytes new exports are refused (503) while the files of all exports take more than this
	 *     (default 50 GiB). 0 = no cap.
	 * @param minFreeBytes new exports are refused (503) while the export file system has less free space
	 *     than this (default 1 GiB). 0 = no floor.
	 */
	public record Storage(
			@DefaultValue("./data/exports") String directory,
			@DefaultValue("53687091200") long maxTotalBytes,
			@DefaultValue("1073741824") long minFreeBytes) {}

	/**
	 * @param maxResourcesPerFile a file rolls over to the next part after this many resources
	 * @param maxBytesPerFile ... or once it holds this many bytes (default 256 MiB)
	 * @param manifestPageSize files (output, error and deleted together) per manifest page; only for exports
	 *     started with {@code allowPartialManifests=true}
	 * @param patientsPerChunk patients handled by one batch2 work chunk of a Group or Patient export
	 * @param resourcesPerChunk resources handled by one batch2 work chunk of a system export
	 * @param pacerInterval how often, at the longest, the plugin drives HAPI's batch2 maintenance for running exports
	 *     (it does at once when one starts, is cancelled or finishes a work chunk on this node)
	 * @param retryAfterSeconds seconds a client is told to wait between status polls
	 * @param maxRunningPerClient exports one client may have running at once; more get 429. 0 = no limit.
	 * @param maxFinishedPerClient completed, unexpired exports one client may keep; more kick-offs get 429. 0 = no limit.
	 * @param expiry how long a completed export's files stay downloadable
	 * @param purgeInterval how often expired exports, failed and cancelled jobs and orphaned files are purged
	 */
	public record Export(
			@DefaultValue("50000") int maxResourcesPerFile,
			@DefaultValue("268435456") long maxBytesPerFile,
			@DefaultValue("500") int manifestPageSize,
			@DefaultValue("250") int patientsPerChunk,
			@DefaultValue("20000") int resourcesPerChunk,
			@DefaultValue("1s") Duration pacerInterval,
			@DefaultValue("1") int retryAfterSeconds,
			@DefaultValue("4") int maxRunningPerClient,
			@DefaultValue("20") int maxFinishedPerClient,
			@DefaultValue("24h") Duration expiry,
			@DefaultValue("1m") Duration purgeInterval) {}
}
