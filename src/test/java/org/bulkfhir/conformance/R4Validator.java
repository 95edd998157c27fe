package org.bulkfhir.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

import java.util.List;

/**
 * Validates resources against the base FHIR R4 definitions with HAPI's validator, offline, as the
 * Inferno kit does with the HL7 validator: only error and fatal issues count.
 */
public class R4Validator {

	private final FhirValidator validator;

	public R4Validator(FhirContext fhirContext) {
		ValidationSupportChain chain = new ValidationSupportChain(
				new DefaultProfileValidationSupport(fhirContext),
				new CommonCodeSystemsTerminologyService(fhirContext),
				new InMemoryTerminologyServerValidationSupport(fhirContext),
				new SnapshotGeneratingValidationSupport(fhirContext));
		FhirInstanceValidator module = new FhirInstanceValidator(chain);
		module.setNoTerminologyChecks(false);
		// The US Core profiles the sample data declares are not available offline: their conformance is
		// not checked here (a warning, as the HL7 validator reports a profile it cannot find), only base R4.
		module.setErrorForUnknownProfiles(false);
		validator = fhirContext.newValidator().registerValidatorModule(module);
	}

	/** Error-level messages; empty when the resource is valid. */
	public List<String> errors(IBaseResource resource) {
		return validator.validateWithResult(resource).getMessages().stream()
				.filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
				.filter(m -> !m.getMessage().contains("does not resolve"))
				.map(SingleValidationMessage::toString)
				.toList();
	}
}
