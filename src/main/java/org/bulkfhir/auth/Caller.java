package org.bulkfhir.auth;

import java.util.Set;

/** Who a valid access token speaks for. */
public record Caller(String clientId, AppType appType, Set<String> scopes) {}
