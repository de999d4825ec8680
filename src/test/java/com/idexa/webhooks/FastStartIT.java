package com.idexa.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.support.EncryptionKeys;
import com.idexa.webhooks.support.TestDatabase;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

            TestHttp.Response client = new TestHttp(base).bearer(ADMIN).post("/admin/clients", "{\"name\": \"aot\"}");
            TestHttp api = new TestHttp(base).apiKey(client.json().get("apiKey").asString());
            String webhook = "{\"name\": \"aot\", \"type\": %s, \"method\": \"POST\", \"url\": \""
                    + receiver.url("/d/:id") + "\"}";
            TestHttp.assertRefusedField(api.post("/document_webhooks", webhook.formatted("\"0\"")), "type");
            assertThat(api.post("/document_webhooks", webhook.formatted("0")).status())
                    .isEqualTo(200);

            TestHttp.Response accepted = new TestHttp(base)
                    .bearer(INTAKE)
                    .post(
                            "/internal/document_events",
                            "{\"clientId\": \"" + client.json().get("clientId").asString()
                                    + "\", \"type\": 0, \"document\": {\"id\": \"doc-aot-1\", \"status\": 1}}");
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
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

    private static boolean ready(String base) {
        try {
            return new TestHttp(base).get("/actuator/health/readiness").status() == 200;
        } catch (UncheckedIOException notListeningYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
