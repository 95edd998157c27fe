package org.bulkfhir.audit;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Where a request came from: the remote address as the servlet container sees it (behind a reverse
 * proxy, the proxy's, unless the container is told to take the client's from the proxy's header),
 * and, only with {@code bulkfhir.audit.record-forwarded-for}, the {@code X-Forwarded-For} header as
 * sent, kept apart because any client can write it.
 */
public class AuditSource {

	private final boolean recordForwardedFor;

	public AuditSource(boolean recordForwardedFor) {
		this.recordForwardedFor = recordForwardedFor;
	}

	public AuditEntry stamp(AuditEntry entry, HttpServletRequest request) {
		String forwarded = recordForwardedFor ? request.getHeader("X-Forwarded-For") : null;
		return entry.from(request.getRemoteAddr(), forwarded);
	}
}
