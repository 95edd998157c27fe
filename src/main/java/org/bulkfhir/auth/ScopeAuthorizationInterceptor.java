package org.bulkfhir.auth;

import ca.uhn.fhir.interceptor.api.Interceptor;
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
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Patient;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FHIR API's rules for the token's {@code system/} scopes, enforced by HAPI's own
 * {@link AuthorizationInterceptor}: reads and searches need {@code r}/{@code s} on the type (v1
 * {@code read}), creates {@code c}, updates and patches {@code u}, deletes {@code d} (v1
 * {@code write}); every resource in a response, {@code _include}d ones too, must be readable.
 * Transactions apply the same rules entry by entry. Of the other operations only the bulk ones
 * (checked by {@link BearerTokenInterceptor}) and the read-only {@code $everything} and
 * {@code $validate} are allowed. No token (only {@code metadata} gets this far without one): deny.
 */
@Interceptor
public class ScopeAuthorizationInterceptor extends AuthorizationInterceptor {

	private static final Set<RestOperationTypeEnum> SEARCHES = Set.of(
			RestOperationTypeEnum.SEARCH_TYPE, RestOperationTypeEnum.SEARCH_SYSTEM, RestOperationTypeEnum.GET_PAGE);

	public ScopeAuthorizationInterceptor() {
		super(PolicyEnum.DENY);
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
				rules.allow("$validate").operation().named("$validate").atAnyLevel()
						.andRequireExplicitResponseAuthorization();
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
