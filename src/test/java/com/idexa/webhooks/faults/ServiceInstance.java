package com.idexa.webhooks.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One instance of the service, run from its jar as a separate process on a fixed loopback port. */
final class ServiceInstance {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final String name;
    private final int port;
    private final List<String> command;
    private final Path logDirectory;
    private final String marker;
    private final ProcessRegistry registry;
    private volatile Process process;
    private int starts;

    ServiceInstance(
            String name,
            int port,
            Path jar,
            Map<String, String> settings,
            String marker,
            Path logDirectory,
            ProcessRegistry registry) {
        this.name = name;
        this.port = port;
        this.logDirectory = logDirectory;
        this.marker = marker;
        this.registry = registry;
        command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-XX:+UseG1GC",
                marker,
                "-jar",
                jar.toString(),
                "--server.port=" + port));
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
    }

    String name() {
        return name;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    boolean alive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    void start() throws IOException {
        starts++;
        Path log = logDirectory.resolve(name + "-" + starts + ".log");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        registry.add("service", process.pid(), marker);
    }

    /** SIGKILL: no shutdown hook, no grace; the kernel closes its sockets. */
    void kill() throws InterruptedException {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
            current.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then SIGKILL if it has not ended within 15 s. */
    void stop() throws InterruptedException {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroy();
            if (!current.waitFor(15, TimeUnit.SECONDS)) {
                current.destroyForcibly();
                current.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits until readiness answers UP; fails if the process ends or {@code limit} passes. */
    void awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IllegalStateException(name + " ended while starting; see its log in " + logDirectory);
            }
            try {
                HttpResponse<String> health = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("UP")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling a child process for readiness: there is nothing to wait on
        }
        throw new IllegalStateException(name + " was not ready within " + limit + "; see its log in " + logDirectory);
    }
}
