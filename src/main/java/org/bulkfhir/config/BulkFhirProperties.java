package org.bulkfhir.config;

import java.time.Duration;

/**
 * Every {@code bulkfhir.*} setting, with its default. Bound from the host's Spring environment
 * by {@link BulkFhirConfiguration}; {@code docs/configuration.md} lists them for operators.
 */
public class BulkFhirProperties {

	private final Storage storage = new Storage();
	private final Export export = new Export();

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
		private long maxTotalBytes = 0;

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
		/** Work of an export untouched this long is taken to belong to a dead node and is run again. */
		private Duration staleWorkTimeout = Duration.ofMinutes(15);
		/** Exports one client may have running at once; more get 429. 0 = no limit. */
		private int maxRunningPerClient = 4;
		/** How long a completed export's files stay downloadable. */
		private Duration expiry = Duration.ofHours(24);
		/** How often expired exports, failed and cancelled jobs and orphaned files are purged. */
		private Duration purgeInterval = Duration.ofMinutes(1);

		public Duration getStaleWorkTimeout() {
			return staleWorkTimeout;
		}

		public void setStaleWorkTimeout(Duration staleWorkTimeout) {
			this.staleWorkTimeout = staleWorkTimeout;
		}

		public int getMaxRunningPerClient() {
			return maxRunningPerClient;
		}

		public void setMaxRunningPerClient(int maxRunningPerClient) {
			this.maxRunningPerClient = maxRunningPerClient;
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
