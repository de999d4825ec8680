package com.idexa.webhooks.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start an AOT-processed run ({@code -Dspring.aot.enabled=true}, see README "Fast start") whose settings
 * ask for beans other than those the build's Spring AOT step fixed. Spring AOT evaluates conditions at build time
 * and then ignores the properties behind them: without this check, {@code webhooks.intake.kafka.enabled=true}
 * would start a service that consumes nothing, and {@code management.server.port} would be ignored (the actuator
 * answering on the API's port), both without a word. Outside AOT runs it does nothing.
 */
@Component
class BuildTimeChoices implements BeanFactoryPostProcessor, EnvironmentAware {

    /** The Kafka intake's container bean (intake.kafka.KafkaIntakeConfiguration), there only when it is on. */
    private static final String KAFKA_INTAKE = "kafkaIntakeContainer";

    /** Spring Boot's bean that starts the actuator's own server, there only on a management port of its own. */
    private static final String MANAGEMENT_SERVER = "childManagementContextInitializer";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beans) {
        if (!AotDetector.useGeneratedArtifacts()) {
            return;
        }
        List<String> mismatches = new ArrayList<>();
        boolean kafkaIntake = environment.getProperty("webhooks.intake.kafka.enabled", Boolean.class, false);
        if (kafkaIntake != beans.containsBeanDefinition(KAFKA_INTAKE)) {
            mismatches.add("webhooks.intake.kafka.enabled is " + kafkaIntake + " here and was " + !kafkaIntake
                    + " at build time");
        }
        boolean managementServer = ManagementPortType.get(environment) == ManagementPortType.DIFFERENT;
        if (managementServer != beans.containsBeanDefinition(MANAGEMENT_SERVER)) {
            mismatches.add(
                    managementServer
                            ? "management.server.port asks for a management port of its own, which the build did not"
                            : "the build had a management port of its own (management.server.port), which is not"
                                    + " set here");
        }
        if (!mismatches.isEmpty()) {
            throw new IllegalStateException("This jar's Spring AOT classes (-Dspring.aot.enabled=true) fix which beans"
                    + " exist at build time, and these settings differ: " + String.join("; ", mismatches)
                    + ". Start it without -Dspring.aot.enabled=true, or build it with the same settings, for example"
                    + " ./mvnw package -Dspring-boot.aot.jvmArguments=\"-Dwebhooks.intake.kafka.enabled=true"
                    + " -Dmanagement.server.port=8081\" (README, Fast start).");
        }
    }
}
