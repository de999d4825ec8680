package com.idexa.webhooks.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Arrows point one way: no package of the service imports a package that imports it back. */
class PackageArrowsTest {

    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // what Spring AOT generated into target/classes at an earlier package (BeanDefinitions, CGLIB proxies)
            .withImportOption(location -> !location.contains("__") && !location.contains("$$SpringCGLIB$$"))
            .importPackages("com.idexa.webhooks");

    @Test
    void noPackageImportsOneThatImportsItBack() {
        slices().matching("com.idexa.webhooks.(*)..").should().beFreeOfCycles().check(SERVICE);
    }
}
