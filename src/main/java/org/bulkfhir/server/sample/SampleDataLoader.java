package org.bulkfhir.server.sample;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Group;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Loads the sample population at start-up when {@code bulkfhir.sample-data.patients} is above 0
 * and the database has no sample Group yet (so a restart does not load it twice).
 */
@Component
public class SampleDataLoader implements ApplicationRunner {

	private static final Logger LOG = LoggerFactory.getLogger(SampleDataLoader.class);

	private final IFhirSystemDao<Bundle, ?> systemDao;
	private final DaoRegistry daoRegistry;
	private final int patients;
	private final int encounters;

	public SampleDataLoader(
			IFhirSystemDao<Bundle, ?> systemDao,
			DaoRegistry daoRegistry,
			@Value("${bulkfhir.sample-data.patients:0}") int patients,
			@Value("${bulkfhir.sample-data.encounters:3}") int encounters) {
		this.systemDao = systemDao;
		this.daoRegistry = daoRegistry;
		this.patients = patients;
		this.encounters = encounters;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (patients <= 0 || alreadyLoaded()) {
			return;
		}
		long start = System.currentTimeMillis();
		systemDao.transaction(new SystemRequestDetails(), SampleData.sharedResources());
		for (int i = 0; i < patients; i++) {
			systemDao.transaction(new SystemRequestDetails(), SampleData.patient(i, encounters));
		}
		Bundle groups = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (Group group : new Group[] {
			SampleData.group("all", "All sample patients", 0, patients, null),
			SampleData.group("small", "First ten sample patients", 0, Math.min(10, patients), Math.min(10, patients - 1))
		}) {
			groups.addEntry().setResource(group).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Group/" + group.getIdPart());
		}
		systemDao.transaction(new SystemRequestDetails(), groups);
		LOG.info("Loaded sample data: {} patients, {} resources each, Groups 'all' and 'small' in {} ms",
				patients, SampleData.resourcesPerPatient(encounters), System.currentTimeMillis() - start);
	}

	private boolean alreadyLoaded() {
		try {
			daoRegistry.getResourceDao("Group").read(new org.hl7.fhir.r4.model.IdType("Group/all"), new SystemRequestDetails());
			return true;
		} catch (RuntimeException e) {
			return false;
		}
	}
}
