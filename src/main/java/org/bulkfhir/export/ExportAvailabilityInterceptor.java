package org.bulkfhir.export;

import org.bulkfhir.read.ExportAvailability;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome;

import java.io.IOException;
import java.util.Set;

/**
 * Answers the export endpoints with 503 and the reason while {@link ExportAvailability} says export
 * is switched off. Runs after the authorization interceptor (higher order), so only an authorized
 * caller learns why; every other request goes on as usual.
 */
public class ExportAvailabilityInterceptor {

	private static final Set<String> EXPORT_OPERATIONS = Set.of(
			ExportKickoffProvider.OPERATION, ExportResponses.STATUS_OPERATION, ExportResponses.FILE_OPERATION);
	private static final Set<RestOperationTypeEnum> OPERATION_TYPES = Set.of(
			RestOperationTypeEnum.EXTENDED_OPERATION_SERVER,
			RestOperationTypeEnum.EXTENDED_OPERATION_TYPE,
			RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

	private final ExportAvailability availability;

	public ExportAvailabilityInterceptor(ExportAvailability availability) {
		this.availability = availability;
	}

	/** Returns false (and has answered) when export is switched off. */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = 100)
	public boolean checkAvailable(RequestDetails request, HttpServletResponse response) throws IOException {
		String refusal = availability.refusal();
		if (refusal == null
				|| !OPERATION_TYPES.contains(request.getRestOperationType())
				|| !EXPORT_OPERATIONS.contains(request.getOperation())) {
			return true;
		}
		request.getUserData().put("bulkfhir.refusalReason", refusal); // read by the audit trail
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.NOTSUPPORTED)
				.setDiagnostics(refusal);
		response.setStatus(503);
		response.setContentType(Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding("UTF-8");
		request.getFhirContext().newJsonParser().encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().flush();
		return false;
	}
}
