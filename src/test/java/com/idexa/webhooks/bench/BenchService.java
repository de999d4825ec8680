package com.idexa.webhooks.bench;

import com.idexa.webhooks.support.EncryptionKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service under test: its jar in a process of its own, with the settings the benchmark needs (tokens,
 * loopback allowed, logging at WARN) and the service's defaults for everything else. {@code BENCH_SERVICE_ARGS}
 * ({@code --name=value ...}) adds or replaces settings, {@code BENCH_SERVICE_JVM_OPTS} adds JVM options.
 */
final class BenchService implements AutoCloseable {

    static final String ADMIN = "bench-admin-token";
    static final String INTAKE = "bench-intake-token";

    record Client(UUID id, String apiKey) {}

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Process process;
    private final String base;
    private final Map<String, String> settings;
    private final long readyMillis;
    private final String log;

    private BenchService(Process process, String base, Map<String, String> settings, long readyMillis, String log) {
        this.log = log;
        this.process = process;
        this.base = base;
        this.settings = settings;
        this.readyMillis = readyMillis;
    }

    static BenchService start(Path jar, String jdbcUrl) throws Exception {
        return start(jar, jdbcUrl, Map.of(), "bench-service.log");
    }

    /**
     * A service with {@code extra} settings on top of the benchmark's (and under {@code BENCH_SERVICE_ARGS}),
     * logging to {@code target/<log>}.
     */
    static BenchService start(Path jar, String jdbcUrl, Map<String, String> extra, String log) throws Exception {
        return start(ProcessHandle.current().info().command().orElse("java"), List.of(), jar, jdbcUrl, extra, log);
    }

    /** The same, run by {@code java} with {@code jvmOptions} before {@code BENCH_SERVICE_JVM_OPTS}. */
    static BenchService start(
            String java, List<String> jvmOptions, Path jar, String jdbcUrl, Map<String, String> extra, String log)
            throws Exception {
        int port = freePort();
        Map<String, String> settings = settings(jdbcUrl, extra);
        settings.put("server.port", Integer.toString(port));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command(java, jvmOptions, jar, settings))
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", log).toFile())
                .start();
        BenchService service = new BenchService(process, "http://127.0.0.1:" + port, settings, 0, log);
        long ready = service.awaitReady(started);
        return new BenchService(process, service.base, settings, ready, log);
    }

    /** The benchmark's settings for a service on {@code jdbcUrl}, then {@code extra}, then BENCH_SERVICE_ARGS. */
    static Map<String, String> settings(String jdbcUrl, Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spring.datasource.url", jdbcUrl);
        settings.put("spring.datasource.username", "postgres");
        settings.put("webhooks.encryption-key", EncryptionKeys.random());
        settings.put("webhooks.admin-token", ADMIN);
        settings.put("webhooks.internal-token", INTAKE);
        settings.put("webhooks.outbound.allow-private-networks", "true");
        settings.put("logging.level.root", "WARN");
        settings.putAll(extra);
        for (String arg : System.getenv().getOrDefault("BENCH_SERVICE_ARGS", "").split("\\s+")) {
            if (arg.startsWith("--") && arg.contains("=")) {
                settings.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else if (!arg.isBlank()) {
                throw new IllegalArgumentException("BENCH_SERVICE_ARGS takes --name=value settings, not " + arg);
            }
        }
        return settings;
    }

    /** {@code java -Xmx256m -XX:+UseG1GC <jvmOptions> <BENCH_SERVICE_JVM_OPTS> -jar <jar> --<settings>}. */
    static List<String> command(String java, List<String> jvmOptions, Path jar, Map<String, String> settings) {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseG1GC"));
        command.addAll(jvmOptions);
        String benchOptions = System.getenv().getOrDefault("BENCH_SERVICE_JVM_OPTS", "");
        if (!benchOptions.isBlank()) {
            command.addAll(List.of(benchOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        settings.forEach((name, value) -> command.add("--" + name + "=" + value));
        return command;
    }

    long pid() {
        return process.pid();
    }

    long readyMillis() {
        return readyMillis;
    }

    /** The settings given on the command line, secrets left out, for the report. */
    String describeSettings() {
        StringBuilder out = new StringBuilder("-Xmx256m");
        settings.forEach((name, value) -> {
            if (!name.contains("token")
                    && !name.contains("key")
                    && !name.startsWith("spring.datasource")
                    && !name.equals("server.port")) {
                out.append(", ").append(name).append('=').append(value);
            }
        });
        return out.toString();
    }

    String setting(String name, String serviceDefault) {
        return settings.getOrDefault(name, serviceDefault);
    }

    private long awaitReady(long startedNanos) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> health = get("/actuator/health/readiness", null);
                if (health.statusCode() == 200 && health.body().contains("UP")) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20); // polling a child process for readiness: there is nothing to wait on
        }
        throw new IllegalStateException("the service did not become ready; see target/" + log);
    }

    /** Registers {@code count} clients, each with a webhook to {@code endpoint(i)} (a URL containing {@code :id}). */
    List<Client> registerClients(int count, java.util.function.IntFunction<String> endpoint) throws Exception {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> created =
                    post("/admin/clients", "Bearer " + ADMIN, null, "{\"name\": \"bench-" + i + "\"}");
            Client client =
                    new Client(UUID.fromString(field(created.body(), "clientId")), field(created.body(), "apiKey"));
            HttpResponse<String> webhook = post(
                    "/document_webhooks",
                    null,
                    client.apiKey(),
                    "{\"name\": \"bench\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + endpoint.apply(i) + "\","
                            + " \"headers\": {\"X-Bench\": \"1\"}, \"authorization\": \"Bearer bench-fixed\"}");
            if (webhook.statusCode() != 200) {
                throw new IllegalStateException("could not register a webhook: " + webhook.body());
            }
            clients.add(client);
        }
        return clients;
    }

    /** Posts one batch to the intake; fails unless it is accepted. */
    void intakeBatch(String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/internal/document_events/batch"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + INTAKE)
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("batch refused: " + response.statusCode() + " " + response.body());
        }
    }

    String intakeUrl() {
        return base + "/internal/document_events";
    }

    /** The service's Prometheus lines whose name starts with {@code prefix}, joined. */
    String metricLines(String prefix) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body()
                .lines()
                .filter(line -> line.startsWith(prefix))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    HttpResponse<String> get(String path, String apiKey) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (apiKey != null) {
            request.header("IDEXA-API-KEY", apiKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String apiKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
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
        if (!matcher.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
