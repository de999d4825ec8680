package com.idexa.webhooks.faults;

import com.idexa.webhooks.faults.ScenarioFindings.Fault;
import com.idexa.webhooks.support.EncryptionKeys;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.springframework.boot.convert.DurationStyle;

/**
 * {@code ./faults/run.sh}: the fault scenarios of issue 9. Starts a durable embedded PostgreSQL, the service from its
 * jar (as separate processes, so they can be killed, restarted and frozen) and a receiver on 127.0.0.1; offers about
 * 100 events/s while each fault happens, drains, and writes what it saw into {@code RELIABILITY.md}. Every wait is
 * bounded; every process it starts is ended on the way out (and listed in {@code target/faults/pids} for the
 * script's trap, in case this JVM is killed).
 */
public final class FaultHarness {

    static final String ADMIN = "faults-admin-token";
    static final String INTAKE = "faults-intake-token";
    static final int CLIENTS = 10;
    static final int EVENTS_PER_SECOND = 100;
    static final Duration STARTUP_LIMIT = Duration.ofSeconds(180);
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(300);
    static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    static final Duration WARM_UP = Duration.ofSeconds(10);
    static final Duration GIVE_UP_AFTER_LOAD = Duration.ofSeconds(60);

    /**
     * Service settings of every run. {@code FAULTS_SERVICE_ARGS="--key=value ..."} replaces or adds settings
     * ({@code --key=} removes one). The lease and heartbeat are the service's defaults (30 s, 5 s): a killed
     * instance's deliveries come back within the lease. The retry delays are short so an outage of 30 s is retried
     * within the run instead of after 2 minutes.
     */
    static final Map<String, String> DEFAULT_SETTINGS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("webhooks.outbound.allow-private-networks", "true");
        settings.put("webhooks.delivery.retry-delays", "1s,2s,4s,8s,15s,30s,30s,30s,30s,30s");
        return settings;
    }

    private static final Map<Integer, String> TITLES = Map.of(
            1, "The service is killed (SIGKILL) every ~15 s and restarted",
            2, "Two instances; one is killed (SIGKILL) for good",
            3, "PostgreSQL restarts (pg_ctl restart -m fast)",
            4, "PostgreSQL is frozen (SIGSTOP of every postgres process) for 20 s",
            5, "The receiver is down (port closed, open connections cut) for 30 s",
            6, "Half the receivers hang (no answer) for 30 s");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(16, runnable -> {
                Thread thread = new Thread(runnable, "harness-http");
                thread.setDaemon(true);
                return thread;
            }))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final FaultPostgres postgres;
    private final FaultReceiver receiver;
    private final Path jar;
    private final Path work;
    private final String marker;
    private final ProcessRegistry registry;
    private final Map<String, String> settings;
    private final List<ServiceInstance> running = new CopyOnWriteArrayList<>();

    private FaultHarness(
            FaultPostgres postgres,
            FaultReceiver receiver,
            Path jar,
            Path work,
            String marker,
            ProcessRegistry registry,
            Map<String, String> settings) {
        this.postgres = postgres;
        this.receiver = receiver;
        this.jar = jar;
        this.work = work;
        this.marker = marker;
        this.registry = registry;
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path report = Path.of(args.length > 1 ? args[1] : "RELIABILITY.md");
        List<Integer> only = args.length > 2 && !args[2].isBlank()
                ? Arrays.stream(args[2].split(","))
                        .map(String::trim)
                        .map(Integer::valueOf)
                        .toList()
                : List.of(1, 2, 3, 4, 5, 6);
        long began = System.nanoTime();
        Path work = Path.of("target", "faults").toAbsolutePath();
        Files.createDirectories(work);
        ProcessRegistry registry = new ProcessRegistry(work.resolve("pids"));
        String marker = "-Dfaults.run=" + UUID.randomUUID();
        Map<String, String> settings = settings(System.getenv().getOrDefault("FAULTS_SERVICE_ARGS", ""));

        Map<Integer, ScenarioFindings> findings = new LinkedHashMap<>();
        AtomicBoolean finished = new AtomicBoolean();
        try (FaultPostgres postgres = FaultPostgres.start(work.resolve("pgdata"), registry);
                FaultReceiver receiver = new FaultReceiver()) {
            String database = postgres.describe();
            FaultHarness harness = new FaultHarness(postgres, receiver, jar, work, marker, registry, settings);
            Thread cleanup = new Thread(
                    () -> {
                        if (!finished.get()) {
                            System.out.println("the harness was stopped before it finished (a signal?);"
                                    + " RELIABILITY.md has the scenarios that ended");
                        }
                        harness.stopAll();
                        postgres.thawIfFrozen();
                    },
                    "faults-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            for (int scenario : only) {
                System.out.println("== scenario " + scenario + ": " + TITLES.get(scenario));
                ScenarioFindings found;
                try {
                    found = harness.run(scenario);
                } catch (Exception e) {
                    e.printStackTrace();
                    found = ScenarioFindings.notRun(e.toString());
                } finally {
                    harness.stopAll();
                }
                found.rows().forEach((name, value) -> System.out.println("| " + name + " | " + value + " |"));
                findings.put(scenario, found);
                // after every scenario, so a run that is stopped half-way keeps what it measured
                ReliabilityReport.write(
                        report,
                        TITLES,
                        findings,
                        database,
                        settings,
                        args.length > 2 && !args[2].isBlank() ? "./faults/run.sh " + args[2] : "./faults/run.sh",
                        Duration.ofNanos(System.nanoTime() - began));
            }
            finished.set(true);
        }
        long lost = findings.values().stream().mapToLong(ScenarioFindings::lost).sum();
        System.out.println("lost in all scenarios run: " + lost);
        System.exit(0);
    }

    static Map<String, String> settings(String overrides) {
        Map<String, String> settings = new LinkedHashMap<>(DEFAULT_SETTINGS);
        for (String argument : overrides.trim().split("\\s+")) {
            if (argument.isBlank()) {
                continue;
            }
            if (!argument.startsWith("--") || !argument.contains("=")) {
                throw new IllegalArgumentException("FAULTS_SERVICE_ARGS takes --key=value, not " + argument);
            }
            String key = argument.substring(2, argument.indexOf('='));
            String value = argument.substring(argument.indexOf('=') + 1);
            if (value.isEmpty()) {
                settings.remove(key);
            } else {
                settings.put(key, value);
            }
        }
        return settings;
    }

    // ---- one scenario ----------------------------------------------------------------------------------------

    private ScenarioFindings run(int scenario) throws Exception {
        String database = "faults_s" + scenario;
        postgres.createDatabase(database);
        Map<String, String> service = new LinkedHashMap<>();
        service.put("spring.datasource.url", postgres.jdbcUrl(database));
        service.put("spring.datasource.username", "postgres");
        service.put("webhooks.encryption-key", EncryptionKeys.random());
        service.put("webhooks.admin-token", ADMIN);
        service.put("webhooks.internal-token", INTAKE);
        service.putAll(settings);
        List<ServiceInstance> instances = new ArrayList<>();
        for (String name : scenario == 2 ? List.of("A", "B") : List.of("A")) {
            ServiceInstance instance =
                    new ServiceInstance(name, freePort(), jar, service, marker, work.resolve("s" + scenario), registry);
            Files.createDirectories(work.resolve("s" + scenario));
            instances.add(instance);
            running.add(instance);
            instance.start();
            instance.awaitReady(STARTUP_LIMIT);
        }
        String loadAverageAtStart = loadAverage();
        List<String> clientIds = registerClients(instances.get(0));
        warmUp(instances, clientIds, scenario);
        receiver.forget();

        try (ReadinessProbe probe = new ReadinessProbe(http, instances)) {
            AtomicInteger turn = new AtomicInteger();
            Supplier<ServiceInstance> router = () -> {
                List<ServiceInstance> ready =
                        instances.stream().filter(probe::ready).toList();
                List<ServiceInstance> pool = ready.isEmpty() ? instances : ready;
                return pool.get(Math.floorMod(turn.getAndIncrement(), pool.size()));
            };
            IntakeLoad load = new IntakeLoad(INTAKE, clientIds, router, "s" + scenario);
            long loadStart = System.nanoTime();
            // scenario 1's load lasts until its last restart is ready again, however long restarts take
            AtomicLong loadEnd = new AtomicLong(
                    scenario == 1
                            ? Long.MAX_VALUE
                            : loadStart + loadDuration(scenario).toNanos());
            Thread offering = new Thread(
                    () -> {
                        try {
                            load.offer(EVENTS_PER_SECOND, loadEnd::get);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "intake-offer");
            offering.setDaemon(true);
            offering.start();
            try {
                List<Fault> faults = inject(scenario, loadStart, loadEnd, instances);
                offering.join(Duration.ofMinutes(5).toMillis());
                load.giveUpAt(loadEnd.get() + GIVE_UP_AFTER_LOAD.toNanos());
                drain(load, loadEnd.get(), DRAIN_LIMIT);
                // re-sends come a lease after a lost outcome: keep listening that long after the drain
                Thread.sleep(settle().toMillis());
                Set<String> missing = new HashSet<>();
                Set<String> delivered = delivered();
                load.events().stream()
                        .map(e -> e.deliveryId)
                        .filter(id -> id != null && !delivered.contains(id))
                        .forEach(missing::add);
                Map<String, String> missingStatus = postgres.deliveryStatus(database, missing);
                load.close();
                probe.close(); // the instances are stopped next: that is not part of the scenario
                for (ServiceInstance instance : instances) {
                    instance.stop();
                    running.remove(instance);
                }
                Predicate<Integer> healthy =
                        scenario == 6 ? client -> !hanging().contains(client) : null;
                List<FaultReceiver.Request> requests = receiver.requests().stream()
                        .filter(r -> r.documentId().startsWith("s" + scenario + "-")) // late warm-up deliveries are not
                        .toList();
                List<ReadinessProbe.Sample> samples = probe.samples();
                RawData.write(
                        work.resolve("s" + scenario),
                        loadStart,
                        faults,
                        load.events(),
                        load.calls(),
                        requests,
                        samples);
                ScenarioFindings found = new ScenarioFindings(
                        loadStart, faults, load.events(), load.calls(), requests, samples, healthy, missingStatus);
                found.rows()
                        .put(
                                "Machine load (1-minute load average) at start / end",
                                loadAverageAtStart + " / " + loadAverage());
                return found;
            } finally {
                offering.interrupt(); // when the scenario broke off: no load into the next one
                load.close();
            }
        }
    }

    /**
     * The same load for {@link #WARM_UP} before anything is measured, so the numbers are about the fault and not
     * about a cold JIT (the restarts of scenario 1 are cold all the same, as they would be in production).
     */
    private void warmUp(List<ServiceInstance> instances, List<String> clientIds, int scenario) throws Exception {
        AtomicInteger turn = new AtomicInteger();
        IntakeLoad warm = new IntakeLoad(
                INTAKE,
                clientIds,
                () -> instances.get(Math.floorMod(turn.getAndIncrement(), instances.size())),
                "w" + scenario);
        long end = System.nanoTime() + WARM_UP.toNanos();
        warm.offer(EVENTS_PER_SECOND, () -> end);
        warm.giveUpAt(end + GIVE_UP_AFTER_LOAD.toNanos());
        drain(warm, end, Duration.ofSeconds(60));
        warm.close();
    }

    private static Duration loadDuration(int scenario) {
        return Duration.ofSeconds(
                switch (scenario) {
                    case 1, 4, 5, 6 -> 60;
                    default -> 50;
                });
    }

    private List<Fault> inject(int scenario, long loadStart, AtomicLong loadEnd, List<ServiceInstance> instances)
            throws Exception {
        List<Fault> faults = new ArrayList<>();
        switch (scenario) {
            case 1 -> {
                ServiceInstance a = instances.get(0);
                long killed = loadStart;
                long readyAt = loadStart;
                for (int kill = 1; kill <= 4; kill++) {
                    // every 15 s, but never sooner than 5 s after the last restart became ready
                    sleepUntil(Math.max(killed + seconds(15), readyAt + seconds(5)));
                    killed = System.nanoTime();
                    a.kill();
                    a.start();
                    a.awaitReady(STARTUP_LIMIT);
                    readyAt = System.nanoTime();
                    faults.add(new Fault("SIGKILL " + kill + " (until ready again)", killed, readyAt));
                }
                loadEnd.set(Math.max(loadStart + loadDuration(1).toNanos(), readyAt + seconds(10)));
            }
            case 2 -> {
                sleepUntil(loadStart + seconds(20));
                long killed = System.nanoTime();
                instances.get(0).kill();
                running.remove(instances.get(0));
                faults.add(new Fault("A killed for good", killed, killed));
            }
            case 3 -> {
                sleepUntil(loadStart + seconds(20));
                long began = System.nanoTime();
                postgres.restart();
                faults.add(new Fault("pg_ctl restart (until it accepts connections)", began, System.nanoTime()));
            }
            case 4 -> {
                sleepUntil(loadStart + seconds(15));
                long began = System.nanoTime();
                postgres.freeze();
                try {
                    sleepUntil(began + seconds(20));
                } finally {
                    postgres.thaw();
                }
                faults.add(new Fault("SIGSTOP … SIGCONT", began, System.nanoTime()));
            }
            case 5 -> {
                sleepUntil(loadStart + seconds(15));
                long began = System.nanoTime();
                receiver.down();
                try {
                    sleepUntil(began + seconds(30));
                } finally {
                    receiver.up();
                }
                faults.add(new Fault("receiver down", began, System.nanoTime()));
            }
            case 6 -> {
                sleepUntil(loadStart + seconds(15));
                long began = System.nanoTime();
                receiver.hang(hanging(), began + seconds(30));
                sleepUntil(began + seconds(30));
                faults.add(new Fault("clients 0–4 hang", began, System.nanoTime()));
            }
            default -> throw new IllegalArgumentException("no scenario " + scenario);
        }
        return faults;
    }

    private static Set<Integer> hanging() {
        return Set.copyOf(IntStream.range(0, CLIENTS / 2).boxed().toList());
    }

    /**
     * Until every intake call is answered 202 or given up and every accepted event is delivered, as long as that
     * makes progress: it ends after {@link #STALL_LIMIT} without a new acceptance or delivery, and at the latest
     * {@code limit} after the load ended.
     */
    private void drain(IntakeLoad load, long loadEnd, Duration limit) throws InterruptedException {
        long deadline = loadEnd + limit.toNanos();
        long progressAt = System.nanoTime();
        long seen = -1;
        while (System.nanoTime() < deadline && System.nanoTime() - progressAt < STALL_LIMIT.toNanos()) {
            Set<String> delivered = delivered();
            List<IntakeLoad.Event> events = load.events();
            long accepted = events.stream().filter(e -> e.accepted != 0).count();
            if (accepted + delivered.size() != seen) {
                seen = accepted + delivered.size();
                progressAt = System.nanoTime();
            }
            if (load.settled()
                    && events.stream()
                            .filter(e -> e.deliveryId != null)
                            .allMatch(e -> delivered.contains(e.deliveryId))) {
                return;
            }
            Thread.sleep(250); // watching other processes' progress: there is nothing to wait on
        }
        System.out.println("the drain ended with deliveries still missing");
    }

    private Set<String> delivered() {
        Set<String> delivered = new HashSet<>();
        for (FaultReceiver.Request request : receiver.requests()) {
            if (request.ending() == FaultReceiver.Ending.ANSWERED_2XX) {
                delivered.add(request.webhookId());
            }
        }
        return delivered;
    }

    private Duration settle() {
        Duration lease = DurationStyle.detectAndParse(settings.getOrDefault("webhooks.delivery.lease", "30s"));
        Duration settle = lease.plusSeconds(5);
        return settle.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : settle;
    }

    private List<String> registerClients(ServiceInstance instance) throws Exception {
        List<String> clientIds = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            HttpResponse<String> created = post(
                    instance, "/admin/clients", "Authorization", "Bearer " + ADMIN, "{\"name\": \"faults-" + i + "\"}");
            HttpResponse<String> webhook = post(
                    instance,
                    "/document_webhooks",
                    "IDEXA-API-KEY",
                    field(created.body(), "apiKey"),
                    "{\"name\": \"faults\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + receiver.url(i)
                            + "\", \"authorization\": \"Bearer faults-fixed\"}");
            if (webhook.statusCode() != 200) {
                throw new IllegalStateException("could not register a webhook: " + webhook.body());
            }
            clientIds.add(field(created.body(), "clientId"));
        }
        return clientIds;
    }

    private HttpResponse<String> post(ServiceInstance instance, String path, String header, String value, String body)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(instance.url() + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json")
                        .header(header, value)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void stopAll() {
        for (ServiceInstance instance : running) {
            try {
                instance.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
    }

    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return matcher.group(1);
    }

    private static long seconds(long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // the scenario's own clock: the fault happens at a set time
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
