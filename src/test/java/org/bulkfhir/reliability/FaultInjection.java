package org.bulkfhir.reliability;

import ca.uhn.fhir.context.FhirContext;
import org.bulkfhir.output.ChunkFileWriters;
import org.bulkfhir.output.ExportOutput;
import org.bulkfhir.read.StoredResourceReader;
import org.bulkfhir.read.UpdatedWindow;
import org.bulkfhir.storage.ExportFileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import java.time.Duration;

/**
 * Test-only slowness for the packaged WAR, never part of it: {@link org.bulkfhir.support.WarProcess}
 * puts {@code target/test-classes} on the WAR's class path (Spring Boot's PropertiesLauncher) and
 * adds this class with {@code --spring.main.sources}. It replaces the export's output (as the
 * primary {@link ExportOutput}) with one that sleeps before a chosen piece of work starts writing:
 *
 * <ul>
 *   <li>{@code bulkfhir-test.slow-chunk=PT25S} and {@code bulkfhir-test.slow-chunk-sequence=3}: the
 *       write step of work chunk 3 (of every export);
 *   <li>{@code bulkfhir-test.slow-chunks=PT3S}: the write step of every work chunk (of every export);
 *   <li>{@code bulkfhir-test.slow-manifest=PT25S}: the manifest (reduction) step.
 * </ul>
 *
 * Each start is logged ("FAULT-INJECTION ..."), so a test can count how often a piece of work ran.
 */
@Configuration(proxyBeanMethods = false)
public class FaultInjection {

	private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);

	@Bean
	@Primary
	public ExportOutput faultInjectingExportOutput(
			StoredResourceReader reader,
			ExportFileStore store,
			FhirContext fhirContext,
			@Value("${bulkfhir-test.slow-chunk:PT0S}") Duration slowChunk,
			@Value("${bulkfhir-test.slow-chunk-sequence:-1}") int slowChunkSequence,
			@Value("${bulkfhir-test.slow-chunks:PT0S}") Duration slowChunks,
			@Value("${bulkfhir-test.slow-manifest:PT0S}") Duration slowManifest) {
		LOG.info("FAULT-INJECTION active: chunk {} sleeps {}, manifest step sleeps {}", slowChunkSequence, slowChunk,
				slowManifest);
		return new ExportOutput(reader, store, fhirContext) {
			@Override
			public ChunkFileWriters open(
					String jobId, String namePrefix, int maxResources, long maxBytes, UpdatedWindow window,
					java.util.List<String> elements) {
				if (namePrefix.equals("c" + slowChunkSequence) && !slowChunk.isZero()) {
					LOG.info("FAULT-INJECTION slow chunk {} of export job {} starts, sleeping {}", slowChunkSequence,
							jobId, slowChunk);
					sleep(slowChunk);
				} else if (namePrefix.startsWith("c") && !slowChunks.isZero()) {
					LOG.info("FAULT-INJECTION chunk {} of export job {} starts, sleeping {}", namePrefix, jobId, slowChunks);
					sleep(slowChunks);
				} else if (namePrefix.equals("ref") && !slowManifest.isZero()) {
					LOG.info("FAULT-INJECTION slow manifest step of export job {} starts, sleeping {}", jobId,
							slowManifest);
					sleep(slowManifest);
				}
				return super.open(jobId, namePrefix, maxResources, maxBytes, window, elements);
			}
		};
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
