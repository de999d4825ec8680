package com.idexa.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.support.EncryptionKeys;
import com.idexa.webhooks.support.TestDatabase;
import com.idexa.webhooks.support.TestReceiver;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar run the fast-start way (README, Fast start): with the Spring AOT classes the build made
 * ({@code -Dspring.aot.enabled=true}). Runs after {@code package} (failsafe), on the real jar, as a process; it
 * expects a jar built with the default choices (a plain {@code ./mvnw verify}).
 */
class FastStartIT {

    private static final String ADMIN = "fast-start-admin-token-0123456789";
    private static final String INTAKE = "fast-start-intake-token-0123456789";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path logs;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void servesTheApiAndDeliversWithTheBuildsAotClasses() throws Exception {
        try (TestReceiver receiver = TestReceiver.start()) {
            int port = freePort();
            Path log = logs.resolve("service.log");
            start(log, "--server.port=" + port, "--management.endpoints.web.exposure.include=health, info,prometheus");
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(120)).until(() -> ready(base));
            assertThat(Files.readString(log)).contains("Starting AOT-processed DocumentWebhooksApplication");

            String client = send(base, "POST", "/admin/clients", "Bearer " + ADMIN, null, "{\"name\": \"aot\"}")
                    .body();
            String apiKey = field(client, "apiKey");
            HttpResponse<String> refused = send(
                    base,
                    "POST",
                    "/document_webhooks",
                    null,
                    apiKey,
                    "{\"name\": \"aot\", \"type\": \"0\", \"method\": \"POST\", \"url\": \"" + receiver.url("/d/:id")
                            + "\"}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("type: must be an integer");
            HttpResponse<String> webhook = send(
                    base,
                    "POST",
                    "/document_webhooks",
                    null,
                    apiKey,
                    "{\"name\": \"aot\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + receiver.url("/d/:id")
                            + "\"}");
            assertThat(webhook.statusCode()).isEqualTo(200);

            HttpResponse<String> accepted = send(
                    base,
                    "POST",
                    "/internal/document_events",
                    "Bearer " + INTAKE,
                    null,
                    "{\"clientId\": \"" + field(client, "clientId")
                            + "\", \"type\": 0, \"document\": {\"id\": \"doc-aot-1\", \"status\": 1}}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(receiver.received("/d/doc-aot-1")).hasSize(1));
        }
    }

    @Test
    void refusesToStartWhenSettingsAskForOtherBeansThanTheBuildMade() throws Exception {
        Path log = logs.resolve("refused.log");
        Process refused = start(
                log,
                "--server.port=" + freePort(),
                "--webhooks.intake.kafka.enabled=true",
                "--spring.flyway.enabled=false",
                "--management.server.port=" + freePort(),
                "--management.prometheus.metrics.export.enabled=false");
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(Files.readString(log))
                .contains("webhooks.intake.kafka.enabled is true here and was false at build time")
                .contains("spring.flyway.enabled is false here and was true at build time")
                .contains("management.server.port is DIFFERENT here and was SAME at build time")
                .contains("management.prometheus.metrics.export.enabled is false here and was unset at build time");

        Path disabled = logs.resolve("management-disabled.log");
        Process withoutActuator = start(disabled, "--server.port=" + freePort(), "--management.server.port=-1");
        assertThat(withoutActuator.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(withoutActuator.exitValue()).isNotZero();
        assertThat(Files.readString(disabled))
                .contains("management.server.port is DISABLED here and was SAME at build time");
    }

    private Process start(Path log, String... arguments) throws IOException {
        TestDatabase.Connection database = TestDatabase.fresh("faststart");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m",
                "-Dspring.aot.enabled=true",
                "-jar",
                jar().toString(),
                "--spring.datasource.url=" + database.url(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(),
                "--webhooks.encryption-key=" + EncryptionKeys.random(),
                "--webhooks.admin-token=" + ADMIN,
                "--webhooks.internal-token=" + INTAKE,
                "--webhooks.outbound.allow-private-networks=true"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(process);
        return process;
    }

    /** The jar {@code package} made; failsafe names it (pom.xml), so a stale jar of another version is not used. */
    private static Path jar() {
        String jar = System.getProperty("serviceJar");
        assertThat(jar)
                .as("the serviceJar property (set by failsafe in pom.xml)")
                .isNotNull();
        return Path.of(jar);
    }

    private boolean ready(String base) {
        try {
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return health.statusCode() == 200;
        } catch (IOException notListeningYet) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpResponse<String> send(
            String base, String method, String path, String authorization, String apiKey, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (apiKey != null) {
            request.header("IDEXA-API-KEY", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        assertThat(matcher.find()).as(name + " in " + json).isTrue();
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
