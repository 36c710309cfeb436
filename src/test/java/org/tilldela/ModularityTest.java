package org.tilldela;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** The module structure holds: no cycles, no reaching into another module's internals, no JPA. */
class ModularityTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.tilldela");

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
    void webControllersDoNotRunSql() {
        noClasses().that().resideInAPackage("..web..").should().dependOnClassesThat()
                .resideInAnyPackage("org.springframework.jdbc..", "java.sql..").check(CLASSES);
    }
}
