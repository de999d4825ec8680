package com.idexa.webhooks.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmark and the fault harness report about the machine they ran on. */
public final class MachineFacts {

    private MachineFacts() {}

    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
