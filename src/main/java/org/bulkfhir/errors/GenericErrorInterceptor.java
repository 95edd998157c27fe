package org.bulkfhir.errors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps internal detail out of the answers of a HAPI {@code RestfulServer}: every 5xx and every
 * exception that is not a {@link BaseServerResponseException} (a bug, an I/O or SQL failure) is
 * answered with a generic OperationOutcome carrying an {@link ErrorReference}, and the detail
 * with its stack trace is logged under that reference. 4xx answers (written for the client),
 * {@link DataFormatException}s (HAPI's 400 for an unparseable request body) and {@link Refusal}s
 * keep their messages.
 *
 * <p>Two hooks: the exception is converted late in {@code SERVER_PRE_PROCESS_OUTGOING_EXCEPTION},
 * after any conversion of the host's own interceptors (and instead of HAPI's default one, which
 * would copy the exception text into the OperationOutcome); {@code SERVER_HANDLE_EXCEPTION} runs
 * early, before HAPI's ResponseHighlighterInterceptor renders an outcome, and replaces the outcome
 * of a 5xx that another interceptor made.
 */
@Interceptor
public class GenericErrorInterceptor {

	/** Which requests of a server get generic internal errors. */
	public enum Scope {
		/** Every request of the RestfulServer (the default). */
		ALL,
		/** Only the plugin's own operations: {@code $export}, {@code $export-status}, {@code $export-file}. */
		BULK
	}

	private static final Logger LOG = LoggerFactory.getLogger(GenericErrorInterceptor.class);
	private static final Set<String> BULK_OPERATIONS = Set.of("$export", "$export-status", "$export-file");

	private final Scope scope;

	public GenericErrorInterceptor(Scope scope) {
		this.scope = scope;
	}

	@Hook(value = Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION, order = Integer.MAX_VALUE - 1)
	public BaseServerResponseException convert(RequestDetails request, Throwable exception) {
		if (!applies(request) || !isInternal(exception)) {
			return null;
		}
		int status = exception instanceof BaseServerResponseException b ? b.getStatusCode() : 500;
		String reference = log(request, exception);
		GenericInternalError generic = new GenericInternalError(status, ErrorReference.clientMessage(reference));
		if (exception instanceof BaseServerResponseException original && original.hasResponseHeaders()) {
			for (Map.Entry<String, List<String>> header : original.getResponseHeaders().entrySet()) {
				header.getValue().forEach(value -> generic.addResponseHeader(header.getKey(), value));
			}
		}
		generic.setOperationOutcome(outcome(request.getFhirContext(), generic.getMessage()));
		return generic;
	}

	@Hook(value = Pointcut.SERVER_HANDLE_EXCEPTION, order = -1000)
	public boolean replaceOtherOutcomes(RequestDetails request, BaseServerResponseException exception) {
		if (applies(request) && !(exception instanceof GenericInternalError) && isInternal(exception)) {
			String reference = log(request, exception.getCause() != null ? exception.getCause() : exception);
			exception.setOperationOutcome(outcome(request.getFhirContext(), ErrorReference.clientMessage(reference)));
		}
		return true;
	}

	private boolean applies(RequestDetails request) {
		return scope == Scope.ALL || (request != null && BULK_OPERATIONS.contains(request.getOperation()));
	}

	static boolean isInternal(Throwable exception) {
		if (exception instanceof Refusal || exception instanceof DataFormatException) {
			return false;
		}
		if (exception instanceof BaseServerResponseException response) {
			return response.getStatusCode() >= 500;
		}
		return true;
	}

	private static String log(RequestDetails request, Throwable exception) {
		String reference = ErrorReference.next();
		LOG.error(
				"Internal error, reference {}, answering {} {}: {}",
				reference,
				request == null ? "?" : request.getRequestType(),
				request == null ? "?" : "/" + request.getRequestPath(),
				exception.toString(),
				exception);
		return reference;
	}

	private static IBaseOperationOutcome outcome(FhirContext context, String message) {
		IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(context);
		OperationOutcomeUtil.addIssue(context, outcome, "error", message, null, "exception");
		return outcome;
	}

	/** The generic answer that replaced an internal error. */
	static final class GenericInternalError extends BaseServerResponseException {
		private static final long serialVersionUID = 1L;

		GenericInternalError(int status, String message) {
			super(status, message);
		}
	}
}
