package org.tilldela;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The module structure holds: no cycles, no reaching into another module's internals, no JPA. */
class ModularityTest {

    /** Tilldela's classes, without what Spring AOT generates for the command context at package (X__BeanDefinitions: wiring, not code). */
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).withImportOption(location -> !location.contains("__"))
            .importPackages("org.tilldela");

    @Test
    void modulesRespectTheirBoundaries() {
        ApplicationModules.of(TilldelaApplication.class).verify();
    }

    @Test
    void noJpaAnywhere() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("jakarta.persistence..", "javax.persistence..", "org.hibernate..")
                .check(CLASSES);
    }

    @Test
    void everyControllerNamesTheRightItNeeds() {
        classes().that().areAnnotatedWith(org.springframework.stereotype.Controller.class)
                .or().areAnnotatedWith(org.springframework.web.bind.annotation.RestController.class)
                .and().doNotHaveFullyQualifiedName("org.tilldela.platform.LoginPage")
                .should().beAnnotatedWith(org.springframework.security.access.prepost.PreAuthorize.class)
                .because("the security chains only let in signed-in accounts; each controller must say which right it needs")
                .check(CLASSES);
    }

    /** The one rule that makes Tilldela trustworthy: person data leaves only through the release policy. */
    @Test
    void onlyTheReleasePolicyReadsPersonRecords() {
        noClasses().that().haveNameNotMatching("org\\.tilldela\\.access\\.ReleasePolicy(\\$.*)?")
                .and().resideOutsideOfPackage("org.tilldela.directory..")
                .should().dependOnClassesThat().haveNameMatching("org\\.tilldela\\.directory\\.PersonRecords.*")
                .because("every outbound channel asks org.tilldela.access.ReleasePolicy what it may release about a person")
                .check(CLASSES);
    }

    @Test
    void webControllersDoNotRunSql() {
        noClasses().that().resideInAPackage("..web..").should().dependOnClassesThat()
                .resideInAnyPackage("org.springframework.jdbc..", "java.sql..").check(CLASSES);
    }
}
