package org.bulkfhir;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of docs/architecture.md ("Packages"), checked on the main code: no cycles
 * between the packages of org.bulkfhir, the wiring package imported by no one, the settings and
 * the read layer below the rest, and SQL only in the read layer, the stores of our own tables,
 * the schema migrations and the runnable WAR's own code.
 */
class ArchitectureTest {

	static final JavaClasses MAIN = new ClassFileImporter()
			.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("org.bulkfhir");

	/** Packages whose classes may run SQL (JDBC calls): the read layer over HAPI's tables, the migrations, the WAR's own code. */
	static final Set<String> SQL_PACKAGES = Set.of("org.bulkfhir.read", "org.bulkfhir.schema", "org.bulkfhir.server",
			"org.bulkfhir.server.sample");

	/** Classes elsewhere that may run SQL: each the one store of some of our BF_* tables, or the job store over BT2_*. */
	static final Set<String> SQL_CLASSES = Set.of(
			"org.bulkfhir.cluster.ClusterNodes", // BF_NODE
			"org.bulkfhir.cluster.WorkClaims", // BF_WORK_CLAIM
			"org.bulkfhir.cluster.ClusterLock", // BF_LOCK
			"org.bulkfhir.auth.ClientRegistry", // BF_CLIENT
			"org.bulkfhir.auth.ServerKey", // BF_SIGNING_KEY, BF_TOKEN_KEY
			"org.bulkfhir.auth.UsedAssertions", // BF_USED_JTI
			"org.bulkfhir.audit.AuditTrail", // BF_AUDIT
			"org.bulkfhir.jobstore.ExportJobStore"); // BT2_JOB_INSTANCE (read only), BF_EXPORT_OWNER, BF_EXPORT_ADMISSION

	@Test
	void noCyclesBetweenPackages() {
		slices().matching("org.bulkfhir.(*)..").should().beFreeOfCycles().check(MAIN);
	}

	@Test
	void onlyTheServerImportsTheWiring() {
		noClasses().that().resideOutsideOfPackages("org.bulkfhir.config..", "org.bulkfhir.server..")
				.should().dependOnClassesThat().resideInAPackage("org.bulkfhir.config..")
				.check(MAIN);
	}

	@Test
	void settingsDependOnNothingOfOursButErrors() {
		classes().that().resideInAPackage("org.bulkfhir.settings..")
				.should().onlyDependOnClassesThat(
						DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("org.bulkfhir.."))
								.or(JavaClass.Predicates.resideInAnyPackage("org.bulkfhir.settings..", "org.bulkfhir.errors..")))
				.check(MAIN);
	}

	@Test
	void theReadLayerKnowsNothingOfTheJobOrTheFaces() {
		noClasses().that().resideInAPackage("org.bulkfhir.read..")
				.should().dependOnClassesThat().resideInAnyPackage("org.bulkfhir.export..", "org.bulkfhir.output..",
						"org.bulkfhir.admin..", "org.bulkfhir.auth..", "org.bulkfhir.audit..", "org.bulkfhir.metrics..",
						"org.bulkfhir.jobstore..", "org.bulkfhir.storage..")
				.check(MAIN);
	}

	@Test
	void theJobStoreDependsOnNothingOfOurs() {
		classes().that().resideInAPackage("org.bulkfhir.jobstore..")
				.should().onlyDependOnClassesThat(
						DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("org.bulkfhir.."))
								.or(JavaClass.Predicates.resideInAPackage("org.bulkfhir.jobstore..")))
				.check(MAIN);
	}

	@Test
	void sqlOnlyInTheReadLayerAndTheStores() {
		noClasses().that(mayNotRunSql()).should().callMethodWhere(jdbcCall()).check(MAIN);
	}

	static DescribedPredicate<JavaClass> mayNotRunSql() {
		return DescribedPredicate.describe("are not in the read layer, a store, the schema or the server", c -> {
			String top = c.getName().replaceAll("\\$.*", "");
			return !SQL_PACKAGES.contains(c.getPackageName()) && !SQL_CLASSES.contains(top);
		});
	}

	/** A JDBC call that runs or prepares SQL; handing a template or data source on (getJdbcTemplate, getDataSource) is wiring. */
	static DescribedPredicate<JavaMethodCall> jdbcCall() {
		return DescribedPredicate.describe("a JDBC call (JdbcTemplate, NamedParameterJdbcTemplate, Connection, Statement, DataSource.getConnection)", call -> {
			JavaClass owner = call.getTargetOwner();
			String name = call.getName();
			if (name.equals("getJdbcTemplate") || name.equals("getDataSource")) {
				return false;
			}
			return owner.isAssignableTo(JdbcOperations.class) || owner.isAssignableTo(NamedParameterJdbcOperations.class)
					|| owner.isAssignableTo(Connection.class) || owner.isAssignableTo(Statement.class)
					|| (owner.isAssignableTo(DataSource.class) && name.equals("getConnection"));
		});
	}
}
