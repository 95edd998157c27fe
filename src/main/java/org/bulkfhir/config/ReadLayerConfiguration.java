package org.bulkfhir.config;

import org.bulkfhir.read.ExportAvailability;
import org.bulkfhir.read.HapiCompatibility;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.search.BatchResourceLoader;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.rest.server.RestfulServer;
import org.bulkfhir.read.ExportQueries;
import org.bulkfhir.read.FilterSearch;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.read.PatientCompartment;
import org.bulkfhir.read.HapiBatchReader;
import org.bulkfhir.read.StoredResourceReader;
import org.bulkfhir.read.Snapshot;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryResourceMatcher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * The read layer over HAPI's tables (org.bulkfhir.read) and the start-up compatibility check.
 * Imported by {@link BulkFhirConfiguration}; hosts scan this package, so it carries the plugin's
 * switch itself.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bulkfhir.enabled", havingValue = "true", matchIfMissing = true)
public class ReadLayerConfiguration {

	@Bean
	public HapiBatchReader bulkfhirHapiBatchReader(
			EntityManagerFactory entityManagerFactory,
			BatchResourceLoader batchResourceLoader,
			IHapiTransactionService transactionService,
			FhirContext fhirContext) {
		return new HapiBatchReader(SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory),
				batchResourceLoader, transactionService, fhirContext);
	}

	@Bean
	public StoredResourceReader bulkfhirResourceReader(
			NamedParameterJdbcTemplate bulkfhirJdbc, HapiBatchReader bulkfhirHapiBatchReader, JpaStorageSettings storageSettings) {
		return new StoredResourceReader(bulkfhirJdbc, bulkfhirHapiBatchReader, storageSettings.getTagStorageMode());
	}

	@Bean
	public ExportQueries bulkfhirQueries(NamedParameterJdbcTemplate bulkfhirJdbc) {
		return new ExportQueries(bulkfhirJdbc);
	}

	@Bean
	public PatientCompartment bulkfhirPatientCompartment(FhirContext fhirContext) {
		return new PatientCompartment(fhirContext);
	}

	@Bean
	public FilterSearch bulkfhirFilterSearch(
			FhirContext fhirContext,
			DaoRegistry daoRegistry,
			MatchUrlService matchUrlService,
			StoredResourceReader reader,
			InMemoryResourceMatcher inMemoryResourceMatcher) {
		return new FilterSearch(fhirContext, daoRegistry, matchUrlService, reader, inMemoryResourceMatcher);
	}

	@Bean
	public Snapshot bulkfhirSnapshot(
			NamedParameterJdbcTemplate bulkfhirJdbc,
			StoredResourceReader reader,
			FhirContext fhirContext,
			PatientCompartment compartment) {
		return new Snapshot(bulkfhirJdbc, reader, fhirContext, compartment);
	}

	@Bean
	public GroupMembers bulkfhirGroupMembers(
			DaoRegistry daoRegistry, NamedParameterJdbcTemplate bulkfhirJdbc, StoredResourceReader reader) {
		return new GroupMembers(daoRegistry, bulkfhirJdbc, reader);
	}

	@Bean
	public ExportAvailability bulkfhirExportAvailability() {
		return new ExportAvailability();
	}

	@Bean
	public HapiCompatibility bulkfhirHapiCompatibility(
			ObjectProvider<PartitionSettings> partitionSettings,
			ObjectProvider<JpaStorageSettings> storageSettings,
			ObjectProvider<IInterceptorService> interceptorServices,
			ObjectProvider<RestfulServer> restfulServers,
			NamedParameterJdbcTemplate bulkfhirJdbc,
			ExportAvailability availability) {
		return new HapiCompatibility(
				partitionSettings::getIfAvailable,
				storageSettings::getIfAvailable,
				() -> {
					List<Object> all = new ArrayList<>();
					interceptorServices.forEach(service -> all.addAll(service.getAllRegisteredInterceptors()));
					restfulServers.forEach(
							server -> all.addAll(server.getInterceptorService().getAllRegisteredInterceptors()));
					return all;
				},
				bulkfhirJdbc.getJdbcTemplate(),
				availability);
	}
}
