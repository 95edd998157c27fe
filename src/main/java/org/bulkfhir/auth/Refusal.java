package org.bulkfhir.auth;

import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.r4.model.OperationOutcome;

import java.io.IOException;

/**
 * A refusal written by a hook itself, which then stops processing: thrown instead, HAPI would log
 * every one as an ERROR with a stack trace, and anyone could flood the log.
 */
final class Refusal {

	private Refusal() {}

	/** Writes the OperationOutcome; returns false, for the hook to return. */
	static boolean write(
			RequestDetails request, HttpServletResponse response, int status, OperationOutcome.IssueType type, String message)
			throws IOException {
		request.getUserData().put("bulkfhir.refusalReason", message); // read by the audit trail
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(type).setDiagnostics(message);
		response.setStatus(status);
		response.setContentType(Constants.CT_FHIR_JSON_NEW);
		response.setCharacterEncoding("UTF-8");
		request.getFhirContext().newJsonParser().encodeResourceToWriter(outcome, response.getWriter());
		response.getWriter().flush();
		return false;
	}
}
