package org.bulkfhir.settings;

import org.springframework.validation.Validator;

import java.time.Duration;

/**
 * Every {@code bulkfhir.*} setting, with its default. Bound from the host's Spring environment
 * by {@code config.BulkFhirConfiguration}; {@code docs/configuration.md} lists them for operators. Spring
 * Boot checks them against {@link SettingsRules} when it binds them.
 */
public class BulkFhirProperties implements Validator {

	private final Storage storage = new Storage();
	private final Export export = new Export();
	private final Auth auth = new Auth();
	private final Admin admin = new Admin();
	private final Errors errors = new Errors();
	private final Cluster cluster = new Cluster();
	private final Metrics metrics = new Metrics();
	/** Clients declared in configuration (read-only; the admin API adds more to the database). */
	private java.util.List<Client> clients = new java.util.ArrayList<>();
	/**
	 * The FHIR base URL clients use (e.g. {@code https://fhir.example.org/fhir}); the token URL is
	 * this plus {@code /auth/token}, and client assertions must name exactly that as {@code aud}.
	 * Unset: {@code hapi.fhir.server_address} if the host sets it, else
	 * {@code http://localhost:${server.port:8080}/fhir}. Never taken from a request's Host header.
	 */
	private String publicBaseUrl;

	@Override
	public boolean supports(Class<?> type) {
		return BulkFhirProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, org.springframework.validation.Errors errors) {
		SettingsRules.check((BulkFhirProperties) target, errors);
	}

	public String getPublicBaseUrl() {
		return publicBaseUrl;
	}

	public void setPublicBaseUrl(String publicBaseUrl) {
		this.publicBaseUrl = publicBaseUrl;
	}

	public Auth getAuth() {
		return auth;
	}

	public Admin getAdmin() {
		return admin;
	}

	public Errors getErrors() {
		return errors;
	}

	/** Generic answers for internal errors (see {@code GenericErrorInterceptor}). */
	public static class Errors {
		/** ALL: every request of every RestfulServer; BULK: only $export, $export-status and $export-file. */
		private org.bulkfhir.errors.GenericErrorInterceptor.Scope scope =
				org.bulkfhir.errors.GenericErrorInterceptor.Scope.ALL;

		public org.bulkfhir.errors.GenericErrorInterceptor.Scope getScope() {
			return scope;
		}

		public void setScope(org.bulkfhir.errors.GenericErrorInterceptor.Scope scope) {
			this.scope = scope;
		}
	}

	public Metrics getMetrics() {
		return metrics;
	}

	/** The plugin's meters in the host's Micrometer registry (see {@code org.bulkfhir.metrics}). */
	public static class Metrics {
		/** Off: no meter of the plugin is registered, even when the host has a registry. */
		private boolean enabled = true;
		/** Export meters carry the client id as label {@code client} (bounded by the registered clients). */
		private boolean clientLabel = true;
		/** The job and storage gauges read the database and the export directory at most this often. */
		private Duration gaugeCache = Duration.ofSeconds(5);

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isClientLabel() {
			return clientLabel;
		}

		public void setClientLabel(boolean clientLabel) {
			this.clientLabel = clientLabel;
		}

		public Duration getGaugeCache() {
			return gaugeCache;
		}

		public void setGaugeCache(Duration gaugeCache) {
			this.gaugeCache = gaugeCache;
		}
	}

	public Cluster getCluster() {
		return cluster;
	}

	/** How the nodes of a cluster tell that one of them died, so that its export work is run again. */
	public static class Cluster {
		/** How often a node records that it is alive. */
		private Duration heartbeatInterval = Duration.ofSeconds(2);
		/** A node whose heartbeat has not moved for this long is dead; its export work goes to the others. */
		private Duration nodeTimeout = Duration.ofSeconds(10);

		public Duration getHeartbeatInterval() {
			return heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getNodeTimeout() {
			return nodeTimeout;
		}

		public void setNodeTimeout(Duration nodeTimeout) {
			this.nodeTimeout = nodeTimeout;
		}
	}

	public java.util.List<Client> getClients() {
		return clients;
	}

	public void setClients(java.util.List<Client> clients) {
		this.clients = clients;
	}

	public static class Auth {
		/** Off: bulk endpoints are open and jobs belong to nobody (for tests and closed networks only). */
		private boolean enabled = true;
		/**
		 * Every FHIR interaction of the host's RestfulServer (not only bulk export) needs a token whose
		 * scopes allow it. Off by default in the drop-in jar (the host may protect its API itself);
		 * the runnable WAR turns it on.
		 */
		private boolean protectFhirApi = false;
		/** Lifetime of the access tokens this server issues. */
		private Duration tokenLifetime = Duration.ofMinutes(5);
		/** Timeout for fetching a client's JWKS from its jwksUri. */
		private Duration jwksTimeout = Duration.ofSeconds(5);
		/** How long a fetched JWKS is cached. */
		private Duration jwksCache = Duration.ofMinutes(5);
		/**
		 * Development and tests only: a client's jwksUri may be on this machine (loopback), over http
		 * too. Private, link-local and metadata addresses stay refused.
		 */
		private boolean allowLoopbackJwksUri = false;
		/**
		 * The key that signs access tokens: a PEM (PKCS#8 or PKCS#1) or JWK file with an RSA private key
		 * of at least 2048 bits, re-read when it changes. Unset: a key generated once and kept in the
		 * database ({@code BF_SIGNING_KEY}).
		 */
		private String signingKeyFile;
		private final External external = new External();

		public String getSigningKeyFile() {
			return signingKeyFile;
		}

		public void setSigningKeyFile(String signingKeyFile) {
			this.signingKeyFile = signingKeyFile;
		}

		public boolean isAllowLoopbackJwksUri() {
			return allowLoopbackJwksUri;
		}

		public void setAllowLoopbackJwksUri(boolean allowLoopbackJwksUri) {
			this.allowLoopbackJwksUri = allowLoopbackJwksUri;
		}

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isProtectFhirApi() {
			return protectFhirApi;
		}

		public void setProtectFhirApi(boolean protectFhirApi) {
			this.protectFhirApi = protectFhirApi;
		}

		public Duration getTokenLifetime() {
			return tokenLifetime;
		}

		public void setTokenLifetime(Duration tokenLifetime) {
			this.tokenLifetime = tokenLifetime;
		}

		public Duration getJwksTimeout() {
			return jwksTimeout;
		}

		public void setJwksTimeout(Duration jwksTimeout) {
			this.jwksTimeout = jwksTimeout;
		}

		public Duration getJwksCache() {
			return jwksCache;
		}

		public void setJwksCache(Duration jwksCache) {
			this.jwksCache = jwksCache;
		}

		public External getExternal() {
			return external;
		}
	}

	/** An external OAuth server whose access tokens are accepted too (e.g. Keycloak). */
	public static class External {
		private String issuer;
		private String jwksUri;
		/** Required with an issuer: the {@code aud} its tokens must carry for this server. */
		private String audience;
		/** Claim holding the app type (system, patient, user). */
		private String appTypeClaim = "app_type";

		public String getIssuer() {
			return issuer;
		}

		public void setIssuer(String issuer) {
			this.issuer = issuer;
		}

		public String getJwksUri() {
			return jwksUri;
		}

		public void setJwksUri(String jwksUri) {
			this.jwksUri = jwksUri;
		}

		public String getAudience() {
			return audience;
		}

		public void setAudience(String audience) {
			this.audience = audience;
		}

		public String getAppTypeClaim() {
			return appTypeClaim;
		}

		public void setAppTypeClaim(String appTypeClaim) {
			this.appTypeClaim = appTypeClaim;
		}
	}

	public static class Admin {
		private String username = "admin";
		/** No default: without a password every admin URL answers 401. At least 12 characters when set. */
		private String password;
		/** Failed logins from one address within the window that lock the address (429) for a window. 0 = off. */
		private int maxFailedLogins = 10;
		private Duration failedLoginWindow = Duration.ofMinutes(1);

		public int getMaxFailedLogins() {
			return maxFailedLogins;
		}

		public void setMaxFailedLogins(int maxFailedLogins) {
			this.maxFailedLogins = maxFailedLogins;
		}

		public Duration getFailedLoginWindow() {
			return failedLoginWindow;
		}

		public void setFailedLoginWindow(Duration failedLoginWindow) {
			this.failedLoginWindow = failedLoginWindow;
		}

		public String getUsername() {
			return username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return password;
		}

		public void setPassword(String password) {
			this.password = password;
		}
	}

	/** A client registration in configuration. */
	public static class Client {
		private String clientId;
		private String name;
		private String appType = "system";
		private String jwks;
		private String jwksUri;
		private String scopes = "system/*.read";
		private boolean enabled = true;

		public String getClientId() {
			return clientId;
		}

		public void setClientId(String clientId) {
			this.clientId = clientId;
		}

		public String getName() {
			return name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getAppType() {
			return appType;
		}

		public void setAppType(String appType) {
			this.appType = appType;
		}

		public String getJwks() {
			return jwks;
		}

		public void setJwks(String jwks) {
			this.jwks = jwks;
		}

		public String getJwksUri() {
			return jwksUri;
		}

		public void setJwksUri(String jwksUri) {
			this.jwksUri = jwksUri;
		}

		public String getScopes() {
			return scopes;
		}

		public void setScopes(String scopes) {
			this.scopes = scopes;
		}

		public boolean isEnabled() {
			return enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}
	}

	public Storage getStorage() {
		return storage;
	}

	public Export getExport() {
		return export;
	}

	public static class Storage {
		/** Directory that holds export files; each job gets a sub-directory. */
		private String directory = "./data/exports";
		/** New exports are refused (503) while the files of all exports take more than this. 0 = no cap. */
		private long maxTotalBytes = 50L * 1024 * 1024 * 1024;
		/** New exports are refused (503) while the export file system has less free space than this. 0 = no floor. */
		private long minFreeBytes = 1024L * 1024 * 1024;

		public long getMinFreeBytes() {
			return minFreeBytes;
		}

		public void setMinFreeBytes(long minFreeBytes) {
			this.minFreeBytes = minFreeBytes;
		}

		public long getMaxTotalBytes() {
			return maxTotalBytes;
		}

		public void setMaxTotalBytes(long maxTotalBytes) {
			this.maxTotalBytes = maxTotalBytes;
		}

		public String getDirectory() {
			return directory;
		}

		public void setDirectory(String directory) {
			this.directory = directory;
		}
	}

	public static class Export {
		/** A file rolls over to the next part after this many resources. */
		private int maxResourcesPerFile = 50_000;
		/**
		 * Files (output, error and deleted together) per manifest page; only for exports started with
		 * {@code allowPartialManifests=true}.
		 */
		private int manifestPageSize = 500;
		/** ... or once it holds this many bytes. */
		private long maxBytesPerFile = 256L * 1024 * 1024;
		/** Patients handled by one batch2 work chunk of a Group or Patient export. */
		private int patientsPerChunk = 250;
		/** Resources handled by one batch2 work chunk of a system export. */
		private int resourcesPerChunk = 20_000;
		/** How often the plugin drives HAPI's batch2 maintenance pass while exports are running. */
		private Duration pacerInterval = Duration.ofMillis(100);
		/** Seconds a client is told to wait between status polls. */
		private int retryAfterSeconds = 1;
		/** Exports one client may have running at once; more get 429. 0 = no limit. */
		private int maxRunningPerClient = 4;
		/** Completed, unexpired exports one client may keep; more kick-offs get 429. 0 = no limit. */
		private int maxFinishedPerClient = 20;
		/** How long a completed export's files stay downloadable. */
		private Duration expiry = Duration.ofHours(24);
		/** How often expired exports, failed and cancelled jobs and orphaned files are purged. */
		private Duration purgeInterval = Duration.ofMinutes(1);

		public int getMaxRunningPerClient() {
			return maxRunningPerClient;
		}

		public void setMaxRunningPerClient(int maxRunningPerClient) {
			this.maxRunningPerClient = maxRunningPerClient;
		}

		public int getMaxFinishedPerClient() {
			return maxFinishedPerClient;
		}

		public void setMaxFinishedPerClient(int maxFinishedPerClient) {
			this.maxFinishedPerClient = maxFinishedPerClient;
		}

		public Duration getExpiry() {
			return expiry;
		}

		public void setExpiry(Duration expiry) {
			this.expiry = expiry;
		}

		public Duration getPurgeInterval() {
			return purgeInterval;
		}

		public void setPurgeInterval(Duration purgeInterval) {
			this.purgeInterval = purgeInterval;
		}

		public int getManifestPageSize() {
			return manifestPageSize;
		}

		public void setManifestPageSize(int manifestPageSize) {
			this.manifestPageSize = manifestPageSize;
		}

		public int getMaxResourcesPerFile() {
			return maxResourcesPerFile;
		}

		public void setMaxResourcesPerFile(int maxResourcesPerFile) {
			this.maxResourcesPerFile = maxResourcesPerFile;
		}

		public long getMaxBytesPerFile() {
			return maxBytesPerFile;
		}

		public void setMaxBytesPerFile(long maxBytesPerFile) {
			this.maxBytesPerFile = maxBytesPerFile;
		}

		public int getPatientsPerChunk() {
			return patientsPerChunk;
		}

		public void setPatientsPerChunk(int patientsPerChunk) {
			this.patientsPerChunk = patientsPerChunk;
		}

		public int getResourcesPerChunk() {
			return resourcesPerChunk;
		}

		public void setResourcesPerChunk(int resourcesPerChunk) {
			this.resourcesPerChunk = resourcesPerChunk;
		}

		public Duration getPacerInterval() {
			return pacerInterval;
		}

		public void setPacerInterval(Duration pacerInterval) {
			this.pacerInterval = pacerInterval;
		}

		public int getRetryAfterSeconds() {
			return retryAfterSeconds;
		}

		public void setRetryAfterSeconds(int retryAfterSeconds) {
			this.retryAfterSeconds = retryAfterSeconds;
		}
	}
}
