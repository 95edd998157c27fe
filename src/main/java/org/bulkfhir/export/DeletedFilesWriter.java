package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.read.GroupMembers;
import org.bulkfhir.read.DeletedResources;
import org.bulkfhir.read.PatientCompartment;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import org.bulkfhir.output.NdjsonRollingWriter;
import org.bulkfhir.storage.ExportFileStore;
import org.hl7.fhir.r4.model.Bundle;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Writes the manifest's {@code deleted} files of an incremental export (IG v2, "deleted"): one
 * transaction {@code Bundle} per line, with one {@code DELETE Type/id} entry per deleted resource of the
 * export's scope: the exported types, and at Patient and Group level only Patient-compartment resources
 * (their compartment read from their last version before the deletion) of the exported patients.
 */
public class DeletedFilesWriter {

	private final DeletedResources deleted;
	private final PatientCompartment compartment;
	private final GroupMembers groupMembers;
	private final ExportFileStore store;
	private final FhirContext fhirContext;

	public DeletedFilesWriter(
			DeletedResources deleted,
			PatientCompartment compartment,
			GroupMembers groupMembers,
			ExportFileStore store,
			FhirContext fhirContext) {
		this.deleted = deleted;
		this.compartment = compartment;
		this.groupMembers = groupMembers;
		this.store = store;
		this.fhirContext = fhirContext;
	}

	/** The files written; none without {@code _since} (a full export has nothing to delete). */
	public List<ExportedFile> write(String jobId, ExportJobParameters params) throws IOException {
		if (params.getSince() == null) {
			return List.of();
		}
		boolean patientScoped = params.getLevel() != ExportLevel.SYSTEM;
		List<String> types = params.getTypes().stream()
				.filter(t -> !patientScoped || t.equals("Patient") || compartment.contains(t))
				.toList();
		Set<String> members = params.getLevel() == ExportLevel.GROUP
				? groupMembers.activePatientIds(params.getGroupId(), params.getTransactionTime())
				: null;
		IParser parser = fhirContext.newJsonParser();
		try (NdjsonRollingWriter writer = new NdjsonRollingWriter(store, jobId, "Bundle", "deleted",
				params.getMaxResourcesPerFile(), params.getMaxBytesPerFile())) {
			for (DeletedResources.Deletion deletion :
					deleted.deletedBetween(params.getSince(), params.effectiveUntil(), types)) {
				if (patientScoped && !inScope(deletion, members)) {
					continue;
				}
				Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
				bundle.addEntry().getRequest()
						.setMethod(Bundle.HTTPVerb.DELETE)
						.setUrl(deletion.type() + "/" + deletion.fhirId());
				writer.write(parser.encodeResourceToString(bundle));
			}
			writer.close();
			return writer.files();
		}
	}

	/** In the compartment of an exported patient (any patient at Patient level) before it was deleted. */
	private boolean inScope(DeletedResources.Deletion deletion, Set<String> members) {
		Set<String> owners = deleted.compartmentOwnersBeforeDeletion(deletion);
		return members == null ? !owners.isEmpty() : owners.stream().anyMatch(members::contains);
	}
}
