package com.idexa.webhooks.bench;

import com.idexa.webhooks.support.EncryptionKeys;
import com.idexa.webhooks.support.MachineFacts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * {@code ./bench/run.sh}: starts an embedded PostgreSQL, the service from its jar and a receiver on loopback,
 * runs the scenarios of the benchmark issue and writes the results into {@code BENCHMARKS.md}. Every loop is
 * bounded in count and time; all traffic stays on 127.0.0.1.
 */
public final class Benchmark {

    private static final String ADMIN = "bench-admin-token";
    private static final String INTAKE = "bench-intake-token";
    private static final int CLIENTS = 100;
    private static final int MAX_IN_FLIGHT = 64;
    private static final Duration SCENARIO_LIMIT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final BenchReceiver receiver;
    private final String service;
    private final List<String> clientIds = new ArrayList<>();
    private final Map<String, String> results = new LinkedHashMap<>() {
        @Override
        public String put(String key, String value) {
            System.out.println("| " + key + " | " + value + " |");
            return super.put(key, value);
        }
    };
    private String deadClientId;

    private Benchmark(BenchReceiver receiver, String service) {
        this.receiver = receiver;
        this.service = service;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path report = Path.of(args.length > 1 ? args[1] : "BENCHMARKS.md");
        long benchStarted = System.nanoTime();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setServerConfig("max_connections", "200")
                        .setServerConfig(
                                "log_min_duration_statement",
                                System.getenv().getOrDefault("BENCH_PG_LOG_SLOWER_THAN_MS", "-1"))
                        .start();
                BenchReceiver receiver = new BenchReceiver()) {
            String pgVersion;
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    ResultSet rs = connection.createStatement().executeQuery("SHOW server_version")) {
                rs.next();
                pgVersion = rs.getString(1);
            }
            int port = freePort();
            Path serviceLog = Path.of("target", "bench-service.log");
            List<String> command = new ArrayList<>(
                    List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseG1GC"));
            String extraJvmOptions = System.getenv().getOrDefault("BENCH_SERVICE_JVM_OPTS", "");
            if (!extraJvmOptions.isBlank()) {
                command.addAll(List.of(extraJvmOptions.trim().split("\\s+")));
            }
            command.addAll(List.of(
                    "-jar",
                    jar.toString(),
                    "--server.port=" + port,
                    "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                    "--spring.datasource.username=postgres",
                    "--webhooks.encryption-key=" + EncryptionKeys.random(),
                    "--webhooks.admin-token=" + ADMIN,
                    "--webhooks.internal-token=" + INTAKE,
                    "--webhooks.outbound.allow-private-networks=true",
                    "--webhooks.outbound.request-timeout=2s",
                    "--webhooks.delivery.lease=30s",
                    "--webhooks.delivery.max-in-flight=" + MAX_IN_FLIGHT,
                    "--logging.level.root=WARN"));
            command.addAll(List.of(System.getenv()
                            .getOrDefault("BENCH_SERVICE_ARGS", "")
                            .split("\\s+"))
                    .stream()
                    .filter(a -> !a.isBlank())
                    .toList());
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(serviceLog.toFile())
                    .start();
            try {
                Benchmark bench = new Benchmark(receiver, "http://127.0.0.1:" + port);
                bench.servicePid = process.pid();
                bench.awaitReady(process, started);
                bench.registerClients();
                List<String> only = args.length > 2 ? List.of(args[2].split(",")) : List.of("1", "2", "3", "4", "5");
                bench.receiverCeiling();
                if (only.contains("2") || only.contains("5")) {
                    bench.throughput();
                }
                if (only.contains("3")) {
                    bench.latency(200);
                    bench.latency(1000);
                }
                if (only.contains("4")) {
                    bench.slowReceivers();
                }
                if (only.contains("5")) {
                    bench.fairness();
                }
                bench.results.put(
                        "Peak RSS of the service (VmHWM)", peakRssMegabytes(process.pid()) + " MB (-Xmx256m)");
                String machine = "| cores | JDK | PostgreSQL | CPU |\n|---|---|---|---|\n| "
                        + Runtime.getRuntime().availableProcessors() + " | " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version") + " | " + pgVersion + " (embedded) | "
                        + MachineFacts.cpuModel() + " |";
                write(report, machine, bench.results, Duration.ofNanos(System.nanoTime() - benchStarted));
            } finally {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    // ---- scenarios -------------------------------------------------------------------------------------------

    private void awaitReady(Process process, long startedNanos) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> health = get("/actuator/health/readiness");
                if (health.statusCode() == 200 && health.body().contains("UP")) {
                    results.put("Startup: process start to ready", ms(System.nanoTime() - startedNanos) + " ms");
                    String log = Files.readString(Path.of("target", "bench-service.log"));
                    Matcher started =
                            Pattern.compile("Started \\S+ in ([0-9.]+) seconds").matcher(log);
                    if (started.find()) {
                        results.put("Startup: as Spring Boot reports it", started.group(1) + " s");
                    }
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // polling a child process for readiness: there is nothing to wait on
        }
        throw new IllegalStateException("the service did not become ready; see target/bench-service.log");
    }

    private void registerClients() throws Exception {
        for (int i = 0; i <= CLIENTS; i++) {
            HttpResponse<String> created =
                    post("/admin/clients", "Bearer " + ADMIN, null, "{\"name\": \"bench-" + i + "\"}");
            String clientId = field(created.body(), "clientId");
            String apiKey = field(created.body(), "apiKey");
            String path = i == CLIENTS ? "/dead/:id" : "/c" + i + "/:id";
            HttpResponse<String> webhook = post(
                    "/document_webhooks",
                    null,
                    apiKey,
                    "{\"name\": \"bench\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + receiver.url(path) + "\","
                            + " \"headers\": {\"X-Bench\": \"1\"}, \"authorization\": \"Bearer bench-fixed\"}");
            if (webhook.statusCode() != 200) {
                throw new IllegalStateException("could not register a webhook: " + webhook.body());
            }
            if (i == CLIENTS) {
                deadClientId = clientId;
            } else {
                clientIds.add(clientId);
            }
        }
    }

    /** Scenario 1: the receiver alone, hit at the dispatcher's concurrency. */
    private void receiverCeiling() throws Exception {
        long seconds = 10;
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService load = Executors.newFixedThreadPool(MAX_IN_FLIGHT);
        HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.url("/ceiling/x")))
                .POST(HttpRequest.BodyPublishers.ofString(document("ceiling")))
                .header("Content-Type", "application/json")
                .build();
        long begin = System.nanoTime();
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            load.execute(() -> {
                while (System.nanoTime() < end) {
                    try {
                        http.send(request, HttpResponse.BodyHandlers.discarding());
                        done.increment();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }
        load.shutdown();
        load.awaitTermination(seconds + 30, TimeUnit.SECONDS);
        double rate = done.sum() / seconds(System.nanoTime() - begin);
        ceiling = rate;
        results.put(
                "1. Receiver ceiling (" + MAX_IN_FLIGHT + " concurrent senders, JDK HttpClient)",
                per(rate) + " requests/s");
    }

    private double ceiling;
    private double throughput;

    /** Scenario 2: 50,000 events for 100 clients through batch intake; time until all are delivered. */
    private void throughput() throws Exception {
        flood(
                "s2warm",
                10_000,
                1000,
                4,
                i -> clientIds.get(i % CLIENTS),
                id -> true,
                10_000); // JIT warm-up, not measured
        int events = 50_000;
        Map<String, Long> cpuBefore = cpuTicks();
        long begin = System.nanoTime();
        Outcome outcome = flood("s2", events, 1000, 4, i -> clientIds.get(i % CLIENTS), id -> true, events);
        String cpu = cpuShare(cpuBefore, cpuTicks(), System.nanoTime() - begin);
        throughput = outcome.deliveredPerSecond;
        results.put(
                "2. Intake (batches of 1,000, 4 concurrent)", per(outcome.acceptedPerSecond) + " events/s accepted");
        results.put(
                "2. Throughput: 50,000 events, 100 clients",
                per(outcome.deliveredPerSecond) + " deliveries/s; all delivered in "
                        + String.format("%.1f", outcome.seconds) + " s; "
                        + String.format("%.0f %%", 100 * outcome.deliveredPerSecond / ceiling)
                        + " of the receiver ceiling");
        results.put("2. Where the CPU went during scenario 2", cpu);
    }

    /**
     * Scenario 3: a fixed offered rate for 30 s, one event per intake call, sent on schedule by a pool of blocking
     * senders over pooled keep-alive connections; callback received minus event accepted (the 202 read). The
     * service gets 10 s at the same rate first to warm up (JIT, pools); that part is not measured.
     */
    private void latency(int perSecond) throws Exception {
        int seconds = 30;
        offer(perSecond, 10, "s3warm" + perSecond + "-");
        String prefix = "s3r" + perSecond + "-";
        java.util.TreeMap<Double, Long> lagBefore = lagBuckets();
        Offered offered = offer(perSecond, seconds, prefix);
        List<Long> fromAccepted = new ArrayList<>();
        List<Long> fromScheduled = new ArrayList<>();
        int early = 0;
        for (Map.Entry<String, Long> arrival : receiver.arrivals().entrySet()) {
            Long accepted = offered.accepted().get(arrival.getKey());
            if (!arrival.getKey().startsWith(prefix) || accepted == null) {
                continue;
            }
            long sinceAccepted = arrival.getValue() - accepted;
            if (sinceAccepted < 0) {
                early++; // the callback came before the sender had read its 202
            }
            fromAccepted.add(Math.max(0, sinceAccepted));
            fromScheduled.add(arrival.getValue() - offered.scheduled().get(arrival.getKey()));
        }
        results.put(
                "3. Latency at " + perSecond + "/s for " + seconds + " s: 202 read → callback received",
                percentiles(fromAccepted) + " (" + fromAccepted.size() + " of " + offered.total() + " delivered, "
                        + offered.refused() + " refused; " + early
                        + " callbacks came before their 202 was read: counted as 0)");
        results.put(
                "3. Latency at " + perSecond + "/s: scheduled send → callback received", percentiles(fromScheduled));
        results.put(
                "3. Latency at " + perSecond + "/s: the service's own accepted → first attempt (its histogram)",
                quantilesBetween(lagBefore, lagBuckets()));
    }

    private record Offered(int total, int refused, Map<String, Long> scheduled, Map<String, Long> accepted) {}

    /** Offers single events at a fixed rate and waits for their callbacks. */
    private Offered offer(int perSecond, int seconds, String prefix) throws Exception {
        int total = perSecond * seconds;
        Map<String, Long> scheduled = new ConcurrentHashMap<>();
        Map<String, Long> accepted = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(64);
        long periodNanos = 1_000_000_000L / perSecond;
        long begin = System.nanoTime();
        try (CloseableHttpClient intake = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(64)
                        .setMaxConnPerRoute(64)
                        .build())
                .build()) {
            for (int i = 0; i < total; i++) {
                long due = begin + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the offered rate's own clock
                }
                String documentId = prefix + i;
                String body = "{\"clientId\": \"" + clientIds.get(i % CLIENTS) + "\", \"type\": 0, \"document\": "
                        + document(documentId) + "}";
                scheduled.put(documentId, due);
                senders.execute(() -> {
                    HttpPost post = new HttpPost(service + "/internal/document_events");
                    post.setHeader("Authorization", "Bearer " + INTAKE);
                    post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                    try {
                        int status = intake.execute(post, response -> {
                            EntityUtils.consume(response.getEntity());
                            return response.getCode();
                        });
                        if (status == 202) {
                            accepted.put(documentId, System.nanoTime());
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                });
            }
            senders.shutdown();
            senders.awaitTermination(SCENARIO_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
        awaitArrivals(id -> id.startsWith(prefix), total - failures.get());
        return new Offered(total, failures.get(), scheduled, accepted);
    }

    /** Cumulative counts of the service's first-attempt-lag histogram, by upper bound in seconds. */
    private java.util.TreeMap<Double, Long> lagBuckets() throws Exception {
        java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
        Matcher line = Pattern.compile(
                        "webhook_delivery_first_attempt_lag_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+-]+)")
                .matcher(get("/actuator/prometheus").body());
        while (line.find()) {
            double bound = line.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(line.group(1));
            buckets.put(bound, (long) Double.parseDouble(line.group(2)));
        }
        return buckets;
    }

    /** Quantiles of what the service itself measured between two scrapes, to the histogram's bucket bounds. */
    private static String quantilesBetween(
            java.util.TreeMap<Double, Long> before, java.util.TreeMap<Double, Long> after) {
        long total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0L);
        StringBuilder out = new StringBuilder();
        for (double quantile : new double[] {0.5, 0.95, 0.99}) {
            for (Map.Entry<Double, Long> bucket : after.entrySet()) {
                long count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
                if (count >= quantile * total) {
                    out.append(out.isEmpty() ? "" : ", ")
                            .append("p")
                            .append(Math.round(quantile * 100))
                            .append(" ≤ ")
                            .append(String.format("%.1f", bucket.getKey() * 1000))
                            .append(" ms");
                    break;
                }
            }
        }
        return out + " (" + total + " first attempts)";
    }

    /** Scenario 4: every callback takes 20 ms. */
    private void slowReceivers() throws Exception {
        receiver.delay(20);
        try {
            int events = 10_000;
            Outcome outcome = flood("s4", events, 1000, 2, i -> clientIds.get(i % CLIENTS), id -> true, events);
            results.put(
                    "4. Slow receivers (20 ms each), 10,000 events",
                    per(outcome.deliveredPerSecond)
                            + " deliveries/s (a sequential sender would do about 50/s; " + MAX_IN_FLIGHT
                            + " in flight bound it to "
                            + per(MAX_IN_FLIGHT * 1000.0 / 20) + "/s)");
        } finally {
            receiver.delay(0);
        }
    }

    /** Scenario 5: one client's endpoint never answers while 99 are fast. */
    private void fairness() throws Exception {
        int perClient = 200;
        int events = perClient * CLIENTS;
        String dead = deadClientId;
        List<String> fast = clientIds.subList(0, CLIENTS - 1);
        Outcome outcome = flood(
                "s5",
                events,
                1000,
                4,
                i -> i % CLIENTS == CLIENTS - 1 ? dead : fast.get(i % CLIENTS),
                id -> true,
                perClient * (CLIENTS - 1));
        results.put(
                "5. Fairness: 1 endpoint never answers, 99 fast",
                per(outcome.deliveredPerSecond)
                        + " deliveries/s to the fast clients, "
                        + String.format("%.0f %%", 100 * outcome.deliveredPerSecond / throughput)
                        + " of scenario 2");
    }

    // ---- machinery -------------------------------------------------------------------------------------------

    private record Outcome(double acceptedPerSecond, double deliveredPerSecond, double seconds) {}

    /**
     * Sends {@code events} events in batches from {@code senders} threads, then waits until {@code expected}
     * documents of this run have arrived.
     */
    private Outcome flood(
            String prefix,
            int events,
            int batchSize,
            int senders,
            java.util.function.IntFunction<String> clientOf,
            Predicate<String> counted,
            int expected)
            throws Exception {
        List<String> batches = new ArrayList<>();
        for (int start = 0; start < events; start += batchSize) {
            StringBuilder body = new StringBuilder("{\"events\": [");
            for (int i = start; i < Math.min(events, start + batchSize); i++) {
                if (i > start) {
                    body.append(',');
                }
                body.append("{\"clientId\": \"")
                        .append(clientOf.apply(i))
                        .append("\", \"type\": 0, \"document\": ")
                        .append(document(prefix + "-" + i))
                        .append('}');
            }
            batches.add(body.append("]}").toString());
        }
        AtomicInteger nextBatch = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        long begin = System.nanoTime();
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            running.add(pool.submit(() -> {
                int b;
                while ((b = nextBatch.getAndIncrement()) < batches.size()) {
                    HttpResponse<String> response = http.send(
                            intakeRequest("/internal/document_events/batch", batches.get(b)),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 202) {
                        throw new IllegalStateException(
                                "batch refused: " + response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (var future : running) {
            future.get(SCENARIO_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
        pool.shutdown();
        double acceptedSeconds = seconds(System.nanoTime() - begin);
        long last = awaitArrivals(id -> id.startsWith(prefix + "-") && counted.test(id), expected);
        double seconds = seconds(last - begin);
        return new Outcome(events / acceptedSeconds, expected / seconds, seconds);
    }

    /** @return the arrival time of the last of them */
    private long awaitArrivals(Predicate<String> ofThisRun, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + SCENARIO_LIMIT.toNanos();
        while (true) {
            long count = 0;
            long last = 0;
            for (Map.Entry<String, Long> arrival : receiver.arrivals().entrySet()) {
                if (ofThisRun.test(arrival.getKey())) {
                    count++;
                    last = Math.max(last, arrival.getValue());
                }
            }
            if (count >= expected) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("only " + count + " of " + expected + " deliveries arrived in " + SCENARIO_LIMIT);
                return last;
            }
            Thread.sleep(20); // watching another process's progress: there is nothing to wait on
        }
    }

    private static String document(String id) {
        return "{\"id\": \"" + id + "\", \"externalId\": \"ext-" + id
                + "\", \"type\": 24, \"data\": {\"total\": 123.45, "
                + "\"issuer\": \"ACME LTDA\", \"items\": [1, 2, 3]}, \"processTime\": 1.7, \"status\": 1, "
                + "\"statusDesc\": \"FINISHED\", \"createdAt\": \"2022-10-14 14:38:50.045316\"}";
    }

    private HttpRequest intakeRequest(String path, String body) {
        return HttpRequest.newBuilder(URI.create(service + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + INTAKE)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(service + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String apiKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service + path))
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

    private static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "no data";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return "p50 " + msPrecise(at(sorted, 0.50)) + " ms, p95 " + msPrecise(at(sorted, 0.95)) + " ms, p99 "
                + msPrecise(at(sorted, 0.99)) + " ms, max " + msPrecise(sorted[sorted.length - 1]) + " ms";
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)];
    }

    private static String msPrecise(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String per(double rate) {
        return String.format("%,.0f", rate);
    }

    private long servicePid;

    /** CPU time so far (clock ticks) of the service, of PostgreSQL's processes, and of this harness. */
    private Map<String, Long> cpuTicks() throws IOException {
        Map<String, Long> ticks = new LinkedHashMap<>();
        ticks.put("service", ticksOf(servicePid));
        long postgres = 0;
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    if (Files.readString(process.resolve("comm")).trim().equals("postgres")) {
                        postgres += ticksOf(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        ticks.put("PostgreSQL", postgres);
        ticks.put("load generator + receiver", ticksOf(ProcessHandle.current().pid()));
        return ticks;
    }

    private static long ticksOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    private static String cpuShare(Map<String, Long> before, Map<String, Long> after, long wallNanos) {
        double available = Runtime.getRuntime().availableProcessors() * wallNanos / 1e9 * 100; // ticks at 100 Hz
        StringBuilder out = new StringBuilder();
        after.forEach((group, ticks) -> out.append(out.isEmpty() ? "" : ", ")
                .append(group)
                .append(' ')
                .append(String.format("%.0f %%", 100 * (ticks - before.get(group)) / available)));
        return out + " of both cores";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long peakRssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    private static void write(Path report, String machine, Map<String, String> results, Duration took)
            throws IOException {
        StringBuilder table =
                new StringBuilder("<!-- results:start (written by ./bench/run.sh; edit outside these markers) -->\n");
        table.append("Run of ")
                .append(LocalDate.now())
                .append(", ")
                .append(took.toSeconds())
                .append(" s in all.\n\n");
        table.append(machine).append("\n\n| scenario | result |\n|---|---|\n");
        results.forEach((name, value) ->
                table.append("| ").append(name).append(" | ").append(value).append(" |\n"));
        table.append("<!-- results:end -->");
        String text = Files.exists(report)
                ? Files.readString(report)
                : "# Benchmarks\n\n<!-- results:start --><!-- results:end -->\n";
        int start = text.indexOf("<!-- results:start");
        int end = text.indexOf("<!-- results:end -->");
        String updated = start >= 0 && end > start
                ? text.substring(0, start) + table + text.substring(end + "<!-- results:end -->".length())
                : text + "\n" + table + "\n";
        Files.writeString(report, updated);
        System.out.println(table);
    }
}
