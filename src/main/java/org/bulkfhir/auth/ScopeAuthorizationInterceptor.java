package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOp;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifier;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import org.bulkfhir.export.ExportKickoffProvider;
import org.bulkfhir.export.ExportResponses;
import jakarta.servlet.http.HttpServletResponse;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FHIR API's rules for the token's {@code system/} scopes, enforced by HAPI's own
 * {@link AuthorizationInterceptor}: reads and searches need {@code r}/{@code s} on the type (v1
 * {@code read}), creates {@code c}, updates and patches {@code u}, deletes {@code d} (v1
 * {@code write}); every resource in a response, {@code _include}d ones too, must be readable.
 * Transactions apply the same rules entry by entry. Of the other operations only the bulk ones
 * (checked by {@link BearerTokenInterceptor}), {@code Patient/[id]/$everything} and
 * {@code $validate} on a readable type are allowed. No token (only {@code metadata} gets this far
 * without one): deny.
 */
@Interceptor
public class ScopeAuthorizationInterceptor extends AuthorizationInterceptor {

	private static final Set<RestOperationTypeEnum> SEARCHES = Set.of(
			RestOperationTypeEnum.SEARCH_TYPE, RestOperationTypeEnum.SEARCH_SYSTEM, RestOperationTypeEnum.GET_PAGE);

	/**
	 * Requests that HAPI judges from the URL alone (it passes no body for them): reads, searches,
	 * history, paging, delete.
	 */
	private static final Set<RestOperationTypeEnum> JUDGED_FROM_URL = Set.of(
			RestOperationTypeEnum.READ,
			RestOperationTypeEnum.VREAD,
			RestOperationTypeEnum.SEARCH_TYPE,
			RestOperationTypeEnum.SEARCH_SYSTEM,
			RestOperationTypeEnum.HISTORY_INSTANCE,
			RestOperationTypeEnum.HISTORY_TYPE,
			RestOperationTypeEnum.HISTORY_SYSTEM,
			RestOperationTypeEnum.GET_PAGE,
			RestOperationTypeEnum.DELETE);

	public ScopeAuthorizationInterceptor() {
		super(PolicyEnum.DENY);
	}

	/**
	 * Refuses with the same rules and inputs as HAPI's own check just before it, but by answering
	 * rather than throwing: HAPI logs every exception a hook throws as an ERROR with a stack trace,
	 * so a client probing outside its scopes would flood the log. What needs the parsed body
	 * (creates, updates, transactions, operations) and every response stay with HAPI's hooks.
	 * Runs after {@link BearerTokenInterceptor} has established the caller.
	 */
	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = 100)
	public boolean refuseFromTheUrl(RequestDetails request, HttpServletResponse response) throws IOException {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == null || !JUDGED_FROM_URL.contains(operation)) {
			return true;
		}
		Verdict verdict = applyRulesAndReturnDecision(
				operation, request, null, request.getId(), null, Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED);
		if (verdict.getDecision() == PolicyEnum.ALLOW) {
			return true;
		}
		return Refusal.write(request, response, 403, OperationOutcome.IssueType.FORBIDDEN,
				"The access token's scopes do not allow this request");
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		RuleBuilder rules = new RuleBuilder();
		rules.allow("capability statement").metadata();
		Caller caller = BearerTokenInterceptor.caller(request);
		if (caller != null && caller.appType() == AppType.SYSTEM) {
			allowBulkOperations(rules);
			Map<String, String> permissions = Scopes.systemPermissions(caller.scopes());
			permissions.forEach((type, letters) -> allow(rules, type, letters));
			if (permissions.values().stream().anyMatch(letters -> letters.indexOf('u') >= 0)) {
				// The patched result is checked against the update rules before it is stored.
				rules.allow("patch, checked as an update").patch().allRequests();
			}
			if (!permissions.isEmpty()) {
				rules.allow("transaction entries by the same rules").transaction().withAnyOperation()
						.andApplyNormalRules();
				rules.allow("$everything").operation().named("$everything").onInstancesOfType(Patient.class)
						.andRequireExplicitResponseAuthorization();
				permissions.forEach((type, letters) -> allowValidate(rules, type, letters, request));
			}
		}
		rules.denyAll("outside the token's scopes");
		return rules.build();
	}

	/** The caller was checked by {@link BearerTokenInterceptor}: a System app with a bulk read scope. */
	private static void allowBulkOperations(RuleBuilder rules) {
		String export = ExportKickoffProvider.OPERATION;
		rules.allow("system export").operation().named(export).onServer().andAllowAllResponses();
		rules.allow("patient export").operation().named(export).onType(Patient.class).andAllowAllResponses();
		rules.allow("group export").operation().named(export).onInstancesOfType(Group.class).andAllowAllResponses();
		rules.allow("export status").operation().named(ExportResponses.STATUS_OPERATION).onServer()
				.andAllowAllResponses();
		rules.allow("export files").operation().named(ExportResponses.FILE_OPERATION).onServer()
				.andAllowAllResponses();
	}

	private static void allow(RuleBuilder rules, String type, String letters) {
		boolean reads = letters.indexOf('r') >= 0;
		boolean searches = letters.indexOf('s') >= 0;
		if (reads || searches) {
			var read = onType(rules.allow("read " + type + " (" + letters + ")").read(), type).withAnyId();
			if (!(reads && searches)) {
				read.withTester(new ReadOrSearchOnly(searches));
			}
		}
		if (letters.indexOf('c') >= 0) {
			onType(rules.allow("create " + type).create(), type).withAnyId();
		}
		if (letters.indexOf('u') >= 0) {
			// HAPI's write rule covers create and update; the tester keeps it to updates.
			onType(rules.allow("update " + type).write(), type).withAnyId()
					.withTester(new NotCreate());
		}
		if (letters.indexOf('d') >= 0) {
			onType(rules.allow("delete " + type).delete(), type).withAnyId();
		}
	}

	/** {@code $validate} reads the resource it validates (instance level): it needs a read of the type. It answers with an OperationOutcome only. */
	private static void allowValidate(RuleBuilder rules, String type, String letters, RequestDetails request) {
		if (letters.indexOf('r') < 0 && letters.indexOf('s') < 0) {
			return;
		}
		String name = "$validate " + type;
		if (type.equals("*")) {
			rules.allow(name).operation().named("$validate").onAnyType().andAllowAllResponses();
			rules.allow(name).operation().named("$validate").onAnyInstance().andAllowAllResponses();
			return;
		}
		Class<? extends IBaseResource> resourceClass =
				request.getFhirContext().getResourceDefinition(type).getImplementingClass();
		rules.allow(name).operation().named("$validate").onType(resourceClass).andAllowAllResponses();
		rules.allow(name).operation().named("$validate").onInstancesOfType(resourceClass).andAllowAllResponses();
	}

	private static IAuthRuleBuilderRuleOpClassifier onType(IAuthRuleBuilderRuleOp rule, String type) {
		return type.equals("*") ? rule.allResources() : rule.resourcesOfType(type);
	}

	/** SMART v2 tells reading by id ({@code r}) from searching ({@code s}); HAPI's read rule covers both. */
	private record ReadOrSearchOnly(boolean searchOnly) implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest request) {
			return SEARCHES.contains(request.operation) == searchOnly;
		}

		@Override
		public boolean matchesOutput(RuleTestRequest request) {
			return true;
		}
	}

	private record NotCreate() implements IAuthRuleTester {
		@Override
		public boolean matches(RuleTestRequest request) {
			return request.operation != RestOperationTypeEnum.CREATE;
		}
	}
}
