package org.bulkfhir.admin;

import jakarta.servlet.http.HttpServletRequest;
import org.bulkfhir.errors.ErrorReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API's answer to anything its controllers do not answer themselves: Spring MVC's own
 * 4xx (unreadable body, wrong method, bad parameter) as {@code {"error": "…"}}, and every other
 * exception as a generic 500 with an {@link ErrorReference}, its detail and stack trace logged
 * under that reference. The controllers' own messages (401, 403, 404, invalid registrations) are
 * written for the operator and stay as they are.
 */
@RestControllerAdvice(assignableTypes = {AdminJobsController.class, AdminClientsController.class, AdminUiController.class,
		AdminAuditController.class})
public class AdminExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger LOG = LoggerFactory.getLogger(AdminExceptionHandler.class);

	@ExceptionHandler(Exception.class)
	public ResponseEntity<Object> internal(Exception exception, HttpServletRequest request) {
		return generic(HttpStatus.INTERNAL_SERVER_ERROR, new HttpHeaders(), exception, request);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(
			Exception exception, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		if (status.is5xxServerError()) {
			return generic(status, headers, exception, ((ServletWebRequest) request).getRequest());
		}
		String message = body instanceof ProblemDetail problem && problem.getDetail() != null
				? problem.getDetail()
				: HttpStatus.valueOf(status.value()).getReasonPhrase();
		return ResponseEntity.status(status)
				.headers(headers)
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("error", message));
	}

	private static ResponseEntity<Object> generic(
			HttpStatusCode status, HttpHeaders headers, Exception exception, HttpServletRequest request) {
		String reference = ErrorReference.next();
		LOG.error("Internal error, reference {}, answering {} {}: {}",
				reference, request.getMethod(), request.getRequestURI(), exception.toString(), exception);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", ErrorReference.clientMessage(reference));
		body.put("reference", reference);
		return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_JSON).body(body);
	}
}
