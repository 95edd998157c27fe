package org.bulkfhir.config;

import org.bulkfhir.settings.BulkFhirProperties;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.context.FhirContext;
import org.bulkfhir.export.ExportFileProvider;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.export.ExportRequestParser;
import org.bulkfhir.export.ExportResponses;
import org.bulkfhir.export.ExportStatusProvider;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.export.ManifestPages;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.export.PatientSubset;
import org.bulkfhir.output.NdjsonToXml;
import org.bulkfhir.storage.ExportFileStore;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The HTTP face of the export: kick-off, status (with manifest pages) and file download providers.
 * Imported by {@link BulkFhirConfiguration}; hosts scan this package, so it carries the plugin's
 * switch itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class ExportEndpointsConfiguration {

	@Bean
	public ExportRequestParser bulkfhirRequestParser(
			FhirContext fhirContext,
			PatientCompartment compartment,
			FilterSearch filterSearch,
			BulkFhirProperties properties) {
		return new ExportRequestParser(fhirContext, compartment, filterSearch, properties);
	}

	@Bean
	public ExportResponses bulkfhirResponses(FhirContext fhirContext, BulkFhirProperties properties) {
		return new ExportResponses(
				fhirContext, () -> properties.auth().enabled(), properties.export().retryAfterSeconds());
	}

	@Bean
	public ExportKickoffProvider bulkfhirKickoffProvider(
			ExportRequestParser parser,
			ExportJobService jobs,
			GroupMembers groupMembers,
			ExportQueries queries,
			ExportResponses responses) {
		return new ExportKickoffProvider(parser, jobs, groupMembers, new PatientSubset(groupMembers, queries), responses);
	}

	@Bean
	public ManifestPages bulkfhirManifestPages(
			IJobPersistence persistence,
			TransactionTemplate bulkfhirTransactions,
			ExportFileStore store,
			BulkFhirProperties properties) {
		return new ManifestPages(
				persistence, bulkfhirTransactions, store, properties.export().manifestPageSize());
	}

	@Bean
	public ExportStatusProvider bulkfhirStatusProvider(
			ExportJobService jobs, ExportResponses responses, ManifestPages pages, BulkFhirProperties properties) {
		return new ExportStatusProvider(jobs, responses, properties.export().expiry(), pages);
	}

	@Bean
	public ExportFileProvider bulkfhirFileProvider(
			ExportJobService jobs,
			ExportFileStore store,
			FhirContext fhirContext,
			ManifestPages pages,
			BulkFhirProperties properties) {
		return new ExportFileProvider(
				jobs, store, new NdjsonToXml(fhirContext), properties.export().expiry(), pages);
	}
}
