package com.idexa.webhooks.support;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Turns the named loggers up to DEBUG for each test and back to their configured level after it, for tests that
 * prove what never reaches the logs even at the loudest level an operator might set. Register it with
 * {@code @RegisterExtension}.
 */
public final class DebugLoggers implements BeforeEachCallback, AfterEachCallback {

    private final List<String> loggers;

    private DebugLoggers(List<String> loggers) {
        this.loggers = loggers;
    }

    public static DebugLoggers of(String... loggers) {
        return new DebugLoggers(List.of(loggers));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        set(LogLevel.DEBUG);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        set(null); // back to what the configuration says
    }

    private void set(LogLevel level) {
        LoggingSystem system = LoggingSystem.get(getClass().getClassLoader());
        loggers.forEach(logger -> system.setLogLevel(logger, level));
    }
}
