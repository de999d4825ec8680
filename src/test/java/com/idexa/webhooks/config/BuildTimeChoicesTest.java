package com.idexa.webhooks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

/** The settings Spring AOT fixes, read as the conditions behind them read them (FastStartIT runs the real jar). */
class BuildTimeChoicesTest {

    @Test
    void readsEachChoiceAsItsConditionDoes() {
        Map<String, String> defaults = BuildTimeChoices.of(new MockEnvironment());
        assertThat(defaults)
                .containsEntry("webhooks.intake.kafka.enabled", "false")
                .containsEntry("management.server.port", "SAME")
                .containsEntry("spring.flyway.enabled", "true")
                .containsEntry("springdoc.api-docs.enabled", "true")
                .containsEntry("server.forward-headers-strategy", "");

        assertThat(BuildTimeChoices.of(new MockEnvironment().withProperty("webhooks.intake.kafka.enabled", "TRUE")))
                .containsEntry("webhooks.intake.kafka.enabled", "true");
        assertThat(BuildTimeChoices.of(new MockEnvironment().withProperty("webhooks.intake.kafka.enabled", "yes")))
                .as("@ConditionalOnBooleanProperty takes only \"true\"")
                .containsEntry("webhooks.intake.kafka.enabled", "false");
        assertThat(BuildTimeChoices.of(new MockEnvironment().withProperty("management.server.port", "-1")))
                .containsEntry("management.server.port", "DISABLED");
        assertThat(BuildTimeChoices.of(new MockEnvironment().withProperty("management.server.port", "8081")))
                .containsEntry("management.server.port", "DIFFERENT");
        assertThat(BuildTimeChoices.of(new MockEnvironment()
                        .withProperty("server.port", "8081")
                        .withProperty("management.server.port", "8081")))
                .containsEntry("management.server.port", "SAME");
    }

    @Test
    void recordsEverySpringActuatorOrSpringdocSwitchThatIsSetInAnySpelling() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("management.health.diskspace.enabled", "false")
                .withProperty("spring.jmx.enabled", "TRUE")
                .withProperty("spring.aot.enabled", "true")
                .withProperty("webhooks.delivery.enabled", "false")
                .withProperty("server.compression.enabled", "true");
        environment
                .getPropertySources()
                .addLast(new SystemEnvironmentPropertySource(
                        "systemEnvironment", Map.of("MANAGEMENT_PROMETHEUS_METRICS_EXPORT_ENABLED", "false")));
        assertThat(BuildTimeChoices.of(environment))
                .containsEntry("management.health.diskspace.enabled", "false")
                .containsEntry("spring.jmx.enabled", "true")
                .containsEntry("management.prometheus.metrics.export.enabled", "false")
                .as("the AOT switch itself, and settings read at run time")
                .doesNotContainKeys("spring.aot.enabled", "webhooks.delivery.enabled", "server.compression.enabled");
    }

    @Test
    void comparesListsAsSpringBindsThem() {
        assertThat(BuildTimeChoices.of(new MockEnvironment()
                        .withProperty("management.endpoints.web.exposure.include", "health, info,prometheus")))
                .isEqualTo(BuildTimeChoices.of(new MockEnvironment()
                        .withProperty("management.endpoints.web.exposure.include", "prometheus,health,info")));
        assertThat(BuildTimeChoices.of(new MockEnvironment()
                        .withProperty("spring.autoconfigure.exclude[0]", "a.B")
                        .withProperty("spring.autoconfigure.exclude[1]", "c.D")))
                .containsEntry("spring.autoconfigure.exclude", "a.b,c.d");
    }

    @Test
    void refusesARunWhoseChoicesDifferFromTheBuildsAndNamesEach() {
        Map<String, String> built = BuildTimeChoices.of(new MockEnvironment());
        assertThatCode(() -> BuildTimeChoices.refuseOtherChoicesThan(
                        built, BuildTimeChoices.of(new MockEnvironment().withProperty("server.port", "9000"))))
                .as("a setting outside the choices is free")
                .doesNotThrowAnyException();

        Map<String, String> here = new LinkedHashMap<>(BuildTimeChoices.of(new MockEnvironment()
                .withProperty("spring.flyway.enabled", "false")
                .withProperty("management.server.port", "-1")));
        here.put("management.health.diskspace.enabled", "false");
        assertThatThrownBy(() -> BuildTimeChoices.refuseOtherChoicesThan(built, here))
                .hasMessageContaining("spring.flyway.enabled is false here and was true at build time")
                .hasMessageContaining("management.health.diskspace.enabled is false here and was unset at build time")
                .hasMessageContaining("management.server.port is DISABLED here and was SAME at build time")
                .hasMessageNotContaining("webhooks.intake.kafka.enabled");

        Map<String, String> builtWithASwitch = new LinkedHashMap<>(built);
        builtWithASwitch.put("management.health.db.enabled", "false");
        assertThatThrownBy(() -> BuildTimeChoices.refuseOtherChoicesThan(builtWithASwitch, built))
                .as("a switch set at build time only")
                .hasMessageContaining("management.health.db.enabled is unset here and was false at build time");
    }
}
