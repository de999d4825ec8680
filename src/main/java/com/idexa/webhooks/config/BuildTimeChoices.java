package com.idexa.webhooks.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The settings that decide which beans exist, which Spring AOT fixes when the jar is built (README, Fast start):
 * a run with {@code -Dspring.aot.enabled=true} uses the build's beans and ignores these properties without a word,
 * so {@code webhooks.intake.kafka.enabled=true} would consume nothing, {@code management.server.port} would leave
 * the actuator on the API's port, {@code spring.flyway.enabled=false} or {@code spring.autoconfigure.exclude} would
 * still migrate, {@code management.prometheus.metrics.export.enabled=false} would still serve the metrics. The build
 * records their
 * values ({@link Recorder}, a resource in the jar); an AOT run whose values differ refuses to start and names each
 * one. Outside AOT runs nothing is checked: the properties work as usual.
 */
@Component
class BuildTimeChoices implements BeanFactoryPostProcessor, EnvironmentAware {

    static final String RESOURCE = "META-INF/document-webhooks/build-time-choices.properties";

    /** Each setting as the condition behind it reads it, so two spellings of one choice compare equal. */
    private static final Map<String, Function<Environment, String>> CHOICES = choices();

    private Environment environment;

    private static Map<String, Function<Environment, String>> choices() {
        Map<String, Function<Environment, String>> choices = new LinkedHashMap<>();
        choices.put("webhooks.intake.kafka.enabled", on("webhooks.intake.kafka.enabled", false));
        choices.put(
                "management.server.port",
                environment -> ManagementPortType.get(environment)
                        .name()); // SAME, DIFFERENT or DISABLED (-1); the number itself stays free
        choices.put("spring.flyway.enabled", on("spring.flyway.enabled", true));
        choices.put("springdoc.api-docs.enabled", on("springdoc.api-docs.enabled", true));
        choices.put("springdoc.swagger-ui.enabled", on("springdoc.swagger-ui.enabled", true));
        choices.put("management.endpoints.web.exposure.include", list("management.endpoints.web.exposure.include"));
        choices.put("management.endpoints.web.exposure.exclude", list("management.endpoints.web.exposure.exclude"));
        choices.put("spring.autoconfigure.exclude", list("spring.autoconfigure.exclude"));
        choices.put("server.forward-headers-strategy", text("server.forward-headers-strategy"));
        choices.put("spring.threads.virtual.enabled", on("spring.threads.virtual.enabled", false));
        choices.put("spring.profiles.active", environment -> String.join(",", environment.getActiveProfiles()));
        return choices;
    }

    /**
     * Besides those: any {@code *.enabled} setting of Spring ({@code spring.*}), the actuator ({@code management.*},
     * health indicators, metrics export, probes) or springdoc that is set, in any property source and spelling
     * (an environment variable as well as a property). These switch auto-configurations on or off; their defaults
     * are not known here, so one set on one side only counts as a difference (a refusal to read, not a guess).
     */
    private static boolean switchesBeans(String name) {
        return name.endsWith(".enabled")
                && (name.startsWith("spring.") || name.startsWith("management.") || name.startsWith("springdoc."))
                && !name.equals("spring.aot.enabled"); // the switch into AOT mode itself
    }

    /** As {@code @ConditionalOnBooleanProperty} reads it: "true" in any case is on; unset is {@code ifMissing}. */
    private static Function<Environment, String> on(String name, boolean ifMissing) {
        return environment -> {
            String value = environment.getProperty(name);
            return Boolean.toString(value == null ? ifMissing : value.trim().equalsIgnoreCase("true"));
        };
    }

    private static Function<Environment, String> text(String name) {
        return environment -> environment.getProperty(name, "").trim().toLowerCase();
    }

    /** A comma-separated (or indexed) list, as Spring binds it: items trimmed; their order does not matter. */
    private static Function<Environment, String> list(String name) {
        return environment ->
                Binder.get(environment).bind(name, Bindable.listOf(String.class)).orElse(List.of()).stream()
                        .map(item -> item.trim().toLowerCase())
                        .filter(item -> !item.isEmpty())
                        .sorted()
                        .collect(Collectors.joining(","));
    }

    /** The choices as they stand in {@code environment}. */
    static Map<String, String> of(Environment environment) {
        Map<String, String> values = new TreeMap<>();
        CHOICES.forEach((name, read) -> values.put(name, read.apply(environment)));
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource names) {
                names.stream()
                        .map(ConfigurationPropertyName::toString)
                        .filter(name -> switchesBeans(name) && !CHOICES.containsKey(name))
                        .forEach(name -> values.put(name, text(name).apply(environment)));
            }
        }
        return values;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beans) {
        if (AotDetector.useGeneratedArtifacts()) {
            refuseOtherChoicesThan(recorded(), of(environment));
        }
    }

    static void refuseOtherChoicesThan(Map<String, String> built, Map<String, String> here) {
        List<String> differences = new ArrayList<>();
        Set<String> names = new TreeSet<>(built.keySet()); // a switch set at build time only differs too
        names.addAll(here.keySet());
        for (String name : names) {
            if (!Objects.equals(here.get(name), built.get(name))) {
                differences.add(name + " is " + shown(here.get(name)) + " here and was " + shown(built.get(name))
                        + " at build time");
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalStateException("This jar's Spring AOT classes (-Dspring.aot.enabled=true) fix at build"
                    + " time which beans exist, and these settings differ: " + String.join("; ", differences)
                    + ". Start it without -Dspring.aot.enabled=true, or build the jar with the settings it runs with:"
                    + " ./mvnw package -Dspring-boot.aot.jvmArguments=\"-D<name>=<value> ...\" (README, Fast start).");
        }
    }

    private static String shown(String value) {
        return value == null || value.isEmpty() ? "unset" : value;
    }

    private static Map<String, String> recorded() {
        Properties recorded = new Properties();
        try (InputStream in = new ClassPathResource(RESOURCE).getInputStream()) {
            recorded.load(in);
        } catch (IOException missing) {
            throw new IllegalStateException(
                    "-Dspring.aot.enabled=true, but this jar has no " + RESOURCE + ": it was not built by this"
                            + " project's process-aot step; start it without -Dspring.aot.enabled=true",
                    missing);
        }
        return recorded.stringPropertyNames().stream().collect(Collectors.toMap(name -> name, recorded::getProperty));
    }

    /**
     * Writes the build's choices into the jar, when Spring AOT processes the application (the build's
     * {@code process-aot}); registered in {@code META-INF/spring/aot.factories}, not a bean.
     */
    static final class Recorder implements BeanFactoryInitializationAotProcessor {

        @Override
        public BeanFactoryInitializationAotContribution processAheadOfTime(ConfigurableListableBeanFactory beans) {
            Properties built = new Properties();
            built.putAll(of(beans.getBean(Environment.class)));
            StringWriter text = new StringWriter();
            try {
                built.store(text, "Settings Spring AOT fixed in this jar: config/BuildTimeChoices");
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
            return (generation, code) -> generation.getGeneratedFiles().addResourceFile(RESOURCE, text.toString());
        }
    }
}
