package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;

/**
 * Declares bulk export in the CapabilityStatement: the Bulk Data IG's CapabilityStatement, the
 * three export OperationDefinitions (each with the parameters this server supports in its
 * documentation), and the SMART security extension with the token URL.
 */
@Interceptor
public class CapabilityStatementCustomizer {

	private static final String BULK = "http://hl7.org/fhir/uv/bulkdata/";
	/** The IG's parameters this server supports, per level (the OperationDefinitions define them all). */
	private static final String COMMON_PARAMETERS = "Supported parameters: _outputFormat, _type, _since, _until,"
			+ " _typeFilter, includeAssociatedData, _elements (top-level elements, Type.element or element; resources"
			+ " cut to them carry the SUBSETTED tag), allowPartialManifests (STU3: manifest pages linked by next and,"
			+ " while the export runs, a manifest of the files already complete)";
	private static final String DELETIONS = ". With _since the manifest's deleted array lists the deletions since.";
	static final String SYSTEM_PARAMETERS = COMMON_PARAMETERS + DELETIONS;
	static final String PATIENT_PARAMETERS = COMMON_PARAMETERS
			+ ", patient (POST Parameters body only, valueReference Patient/[id]; at Group level active members only)"
			+ ", organizeOutputBy (STU3: Patient only; files of patient blocks, each a header Parameters naming the"
			+ " Patient, then the Patient and its data; the manifest has outputOrganizedBy and continuesInFile)"
			+ DELETIONS;
	private final boolean authEnabled;
	private final String tokenUrl;

	/** The token URL is the configured one ({@link PublicBaseUrl}), whatever Host a request names. */
	public CapabilityStatementCustomizer(boolean authEnabled, String tokenUrl) {
		this.authEnabled = authEnabled;
		this.tokenUrl = tokenUrl;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void customize(IBaseConformance statement) {
		if (!(statement instanceof CapabilityStatement capabilities)) {
			return;
		}
		if (capabilities.getInstantiates().stream().noneMatch(i -> i.getValue().contains("bulk-data"))) {
			capabilities.addInstantiates(BULK + "CapabilityStatement/bulk-data");
		}
		CapabilityStatement.CapabilityStatementRestComponent rest = capabilities.getRestFirstRep();
		addOperation(rest, "export", BULK + "OperationDefinition/export", SYSTEM_PARAMETERS);
		for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
			if (resource.getType().equals("Patient")) {
				addOperation(resource, "export", BULK + "OperationDefinition/patient-export", PATIENT_PARAMETERS);
			} else if (resource.getType().equals("Group")) {
				addOperation(resource, "export", BULK + "OperationDefinition/group-export", PATIENT_PARAMETERS);
			}
		}
		if (authEnabled) {
			CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
			security.addService(new CodeableConcept(new Coding(
					"http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")));
			Extension oauth = security.addExtension()
					.setUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
			oauth.addExtension("token", new UriType(tokenUrl));
			security.setDescription("SMART Backend Services (client_credentials with a signed JWT assertion) for"
					+ " bulk data export; only System applications may export");
		}
	}

	private static void addOperation(
			CapabilityStatement.CapabilityStatementRestComponent rest, String name, String url, String documentation) {
		rest.getOperation().removeIf(o -> o.getName().equals(name));
		rest.addOperation().setName(name).setDefinition(url).setDocumentation(documentation);
	}

	private static void addOperation(
			CapabilityStatement.CapabilityStatementRestResourceComponent resource,
			String name,
			String url,
			String documentation) {
		resource.getOperation().removeIf(o -> o.getName().equals(name));
		resource.addOperation().setName(name).setDefinition(url).setDocumentation(documentation);
	}
}
