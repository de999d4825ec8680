package com.idexa.webhooks.bench;

import com.idexa.webhooks.bench.BenchService.Client;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The scenarios of the scale issue, each printing its result lines and its target, met or missed. They share
 * one service, one PostgreSQL and one receiver, and run in this order; each leaves nothing unfinished for the
 * next ({@link Seeds#cancelPending}), except the dead client's backlog (7), which stays to the end. Every wait is
 * bounded by {@link #LIMIT}.
 */
final class Scenarios {

    static final Duration LIMIT = Duration.ofSeconds(150);
    private static final int FEW = 100;
    private static final int MANY = 1000;

    private final BenchPostgres postgres;
    private final BenchService service;
    private final BenchReceiver receiver;
    private final Report report;
    private final Load load;
    private final Seeds seeds;
    private final List<Client> clients;
    private final Client dead;
    private double ceiling;

    Scenarios(
            BenchPostgres postgres,
            BenchService service,
            BenchReceiver receiver,
            Report report,
            List<Client> clients,
            Client dead) {
        this.postgres = postgres;
        this.service = service;
        this.receiver = receiver;
        this.report = report;
        this.load = new Load(receiver);
        this.seeds = new Seeds(postgres);
        this.clients = clients;
        this.dead = dead;
        answerNormally();
    }

    /** Client {@code i} has its webhook at {@code /c<i>/:id}; the dead client's at {@code /dead/:id}. */
    static String endpointPath(int client) {
        return "/c" + client + "/:id";
    }

    static String deadEndpointPath() {
        return "/dead/:id";
    }

    private static int clientIndex(String path) {
        int slash = path.indexOf('/', 1);
        return path.startsWith("/c") && slash > 2 ? Integer.parseInt(path.substring(2, slash)) : -1;
    }

    private void answerNormally() {
        receiver.answer(path -> path.startsWith("/dead/") ? BenchReceiver.HANG : 0);
    }

    private void serviceIntake(List<Load.Event> batch) throws Exception {
        service.intakeBatch(Load.batchBody(batch));
    }

    private UUID few(int i) {
        return clients.get(i % FEW).id();
    }

    private UUID many(int i) {
        return clients.get(i % MANY).id();
    }

    /** 1. What the receiver and load generator manage alone: the bound any system under test sees. */
    void receiverCeiling() throws Exception {
        long benchTicks = ProcessFacts.cpuTicks(ProcessHandle.current().pid());
        double instant = hammer("/ceiling/x", 64, Duration.ofSeconds(10));
        double cpuPerRequest = (ProcessFacts.cpuTicks(ProcessHandle.current().pid()) - benchTicks)
                * 1000
                / ProcessFacts.TICKS_PER_SECOND
                / (instant * 10);
        ceiling = instant;
        report.result(
                "1. Receiver ceiling, answering at once (64 concurrent senders)",
                Report.perSecond(instant)
                        + String.format(" (receiver and load generator: %.3f ms of CPU per request)", cpuPerRequest));
        receiver.answer(path -> 250);
        double slow = hammer("/ceiling/slow", MANY, Duration.ofSeconds(8));
        answerNormally();
        report.result(
                "1. Receiver ceiling, answering in 250 ms (1,000 concurrent senders)",
                Report.perSecond(slow) + " (1,000 in flight / 250 ms allow 4,000/s)");
    }

    /** {@code concurrency} blocking senders over keep-alive connections, for {@code duration}: requests per second. */
    private double hammer(String path, int concurrency, Duration duration) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(16))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(Load.document("ceiling")))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .build();
        LongAdder done = new LongAdder();
        ExecutorService senders = Executors.newFixedThreadPool(concurrency);
        long begin = System.nanoTime();
        long end = begin + duration.toNanos();
        for (int i = 0; i < concurrency; i++) {
            senders.execute(() -> {
                while (System.nanoTime() < end) {
                    try {
                        http.send(request, HttpResponse.BodyHandlers.discarding());
                        done.increment();
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
        }
        senders.shutdown();
        senders.awaitTermination(duration.toSeconds() + 20, TimeUnit.SECONDS);
        return done.sum() / ((System.nanoTime() - begin) / 1e9);
    }

    /**
     * 2. 50,000 events for 100 clients, instant receivers: deliveries per second, the service's and PostgreSQL's
     * CPU per delivery, PostgreSQL's work per delivery; then the same for the db-scheduler baseline.
     */
    void throughput() throws Exception {
        int events = 50_000;
        load.flood("s2warm", 10_000, this::few, i -> true, this::serviceIntake, LIMIT); // JIT warm-up, not measured
        postgres.resetStatements();
        BenchPostgres.Work workBefore = postgres.work("postgres");
        long serviceBefore = ProcessFacts.cpuTicks(service.pid());
        long postgresBefore = ProcessFacts.postgresCpuTicks();
        long benchBefore = ProcessFacts.cpuTicks(ProcessHandle.current().pid());
        long machineBefore = ProcessFacts.machineBusyTicks();
        long wallBefore = System.nanoTime();
        Load.Flooded ours = load.flood("s2", events, this::few, i -> true, this::serviceIntake, LIMIT);
        double others = (ProcessFacts.machineBusyTicks() - machineBefore)
                - (ProcessFacts.cpuTicks(service.pid()) - serviceBefore)
                - (ProcessFacts.postgresCpuTicks() - postgresBefore)
                - (ProcessFacts.cpuTicks(ProcessHandle.current().pid()) - benchBefore);
        double othersShare = others
                / ProcessFacts.TICKS_PER_SECOND
                / ((System.nanoTime() - wallBefore) / 1e9 * Runtime.getRuntime().availableProcessors());
        double serviceMs = (ProcessFacts.cpuTicks(service.pid()) - serviceBefore)
                * 1000
                / ProcessFacts.TICKS_PER_SECOND
                / ours.delivered();
        double postgresMs = (ProcessFacts.postgresCpuTicks() - postgresBefore)
                * 1000
                / ProcessFacts.TICKS_PER_SECOND
                / ours.delivered();
        BenchPostgres.Work ourWork = postgres.work("postgres").minus(workBefore);
        report.result("2. Intake (batches of 1,000, 4 concurrent)", Report.perSecond(ours.acceptedPerSecond()));
        report.result(
                "2. Throughput: 50,000 events, 100 clients, instant receivers",
                Report.perSecond(ours.deliveredPerSecond()) + " (" + ours.delivered() + " delivered in "
                        + String.format("%.1f s", ours.seconds()) + "; "
                        + Report.percent(ours.deliveredPerSecond() / ceiling) + " of the receiver ceiling)");
        report.result(
                "2. CPU per delivery, intake included",
                String.format(
                        "service %.3f ms, PostgreSQL %.3f ms (processes outside the benchmark used %s of both cores"
                                + " meanwhile)",
                        serviceMs, postgresMs, Report.percent(Math.max(0, othersShare))));
        report.result("2. PostgreSQL work per delivery, service", ourWork.perDelivery(ours.delivered()));
        report.result("2. PostgreSQL time by statement, service (top 6)", postgres.topStatements("postgres", 6));

        Load.Flooded baseline;
        BenchPostgres.Work baselineWork;
        double baselinePostgresMs;
        try (DbSchedulerBaseline peer =
                new DbSchedulerBaseline(postgres.baselineJdbcUrl(), receiver.url("/baseline/"))) {
            load.flood("b2warm", 10_000, this::few, i -> true, peer::intake, LIMIT);
            BenchPostgres.Work before = postgres.work(BenchPostgres.BASELINE_DATABASE);
            long postgresTicks = ProcessFacts.postgresCpuTicks();
            baseline = load.flood("b2", events, this::few, i -> true, peer::intake, LIMIT);
            baselinePostgresMs = (ProcessFacts.postgresCpuTicks() - postgresTicks)
                    * 1000
                    / ProcessFacts.TICKS_PER_SECOND
                    / baseline.delivered();
            baselineWork = postgres.work(BenchPostgres.BASELINE_DATABASE).minus(before);
        }
        double ratio = ours.deliveredPerSecond() / baseline.deliveredPerSecond();
        report.result(
                "2. Baseline: db-scheduler 16.7.1, same 50,000 events (lock-and-fetch, 64 threads)",
                Report.perSecond(baseline.deliveredPerSecond()) + " (" + baseline.delivered() + " delivered in "
                        + String.format("%.1f s", baseline.seconds()) + "); service / baseline = "
                        + String.format("%.2f", ratio));
        report.result(
                "2. PostgreSQL work per delivery, baseline",
                baselineWork.perDelivery(baseline.delivered())
                        + String.format("; PostgreSQL CPU %.3f ms", baselinePostgresMs));

        report.target(
                "50,000 events / 100 clients: ≥ 2× the db-scheduler baseline",
                ratio >= 2,
                String.format("%.2f×", ratio));
        report.target(
                "50,000 events / 100 clients: ≥ 0.5 of the receiver's ceiling",
                ours.deliveredPerSecond() >= 0.5 * ceiling,
                Report.percent(ours.deliveredPerSecond() / ceiling));
        report.target(
                "service CPU per delivery, intake included ≤ 0.15 ms",
                serviceMs <= 0.15,
                String.format("%.3f ms (PostgreSQL %.3f ms)", serviceMs, postgresMs));
        report.target(
                "PostgreSQL work per delivery: reported, compared with the baseline",
                true,
                String.format(
                        "service %.2f statements, %.2f commits, %,.0f WAL bytes; baseline %.2f, %.2f, %,.0f",
                        ourWork.statements() / (double) ours.delivered(),
                        ourWork.commits() / (double) ours.delivered(),
                        ourWork.walBytes() / (double) ours.delivered(),
                        baselineWork.statements() / (double) baseline.delivered(),
                        baselineWork.commits() / (double) baseline.delivered(),
                        baselineWork.walBytes() / (double) baseline.delivered()));
    }

    /** 3. 20,000 events for 1,000 clients whose endpoints answer in 250 ms. */
    void slowReceivers() throws Exception {
        receiver.answer(path -> path.startsWith("/c") ? 250 : 0);
        receiver.mostOpenSinceLastAsked();
        try {
            Load.Flooded slow = load.flood("s3", 20_000, this::many, i -> true, this::serviceIntake, LIMIT);
            report.result(
                    "3. Slow receivers: 20,000 events, 1,000 clients, 250 ms answers",
                    Report.perSecond(slow.deliveredPerSecond()) + " (" + slow.delivered() + " delivered in "
                            + String.format("%.1f s", slow.seconds()) + "; at most "
                            + receiver.mostOpenSinceLastAsked() + " requests open at the receiver at once)");
            report.target(
                    "20,000 events / 1,000 clients, 250 ms receivers: ≥ 2,000 deliveries/s",
                    slow.deliveredPerSecond() >= 2000,
                    Report.perSecond(slow.deliveredPerSecond()));
        } finally {
            answerNormally();
        }
    }

    /**
     * 4. 1,000 clients at 500 events/s in all, 500 of them hung: first the 500 healthy ones alone at their share
     * (250/s), then all 1,000 at 500/s. Throughput counts the healthy clients' callbacks that arrived by 5 s after
     * the last event was offered; latency is callback received minus the event's scheduled send, and an event
     * still undelivered by then counts with the time waited so far.
     */
    void hungHalf() throws Exception {
        int seconds = 20;
        receiver.answer(path -> clientIndex(path) >= MANY / 2 ? BenchReceiver.HANG : 0);
        try {
            IntFunction<UUID> healthy = i -> clients.get(i % (MANY / 2)).id();
            load.offer(service.intakeUrl(), 250, 5, "s4warm-", healthy);
            Healthy alone = healthyRun("s4a-", 250, seconds, healthy);
            IntFunction<UUID> mixed = i -> i % 2 == 0
                    ? clients.get((i / 2) % (MANY / 2)).id()
                    : clients.get(MANY / 2 + (i / 2) % (MANY / 2)).id();
            postgres.resetStatements();
            long serviceBefore = ProcessFacts.cpuTicks(service.pid());
            long postgresBefore = ProcessFacts.postgresCpuTicks();
            long benchBefore = ProcessFacts.cpuTicks(ProcessHandle.current().pid());
            long machineBefore = ProcessFacts.machineBusyTicks();
            long wallBefore = System.nanoTime();
            Healthy withHung = healthyRun("s4b-", 500, seconds, mixed);
            double coreSeconds = (System.nanoTime() - wallBefore) / 1e9 * ProcessFacts.TICKS_PER_SECOND;
            String cpu = String.format(
                    "service %.2f, PostgreSQL %.2f, load generator and receiver %.2f, the whole machine %.2f of 2",
                    (ProcessFacts.cpuTicks(service.pid()) - serviceBefore) / coreSeconds,
                    (ProcessFacts.postgresCpuTicks() - postgresBefore) / coreSeconds,
                    (ProcessFacts.cpuTicks(ProcessHandle.current().pid()) - benchBefore) / coreSeconds,
                    (ProcessFacts.machineBusyTicks() - machineBefore) / coreSeconds);
            report.result(
                    "4. 500 healthy clients alone, 250 events/s for " + seconds + " s",
                    Report.perSecond(alone.perSecond) + " delivered; " + Report.percentiles(alone.latencies)
                            + "; of which intake (scheduled send → 202 read) " + Report.percentiles(alone.intake));
            report.result(
                    "4. The same beside 500 hung clients (500 events/s in all)",
                    Report.perSecond(withHung.perSecond) + " delivered to the healthy; "
                            + Report.percentiles(withHung.latencies) + "; of which intake "
                            + Report.percentiles(withHung.intake));
            report.result(
                    "4. … where the time went, beside the hung half",
                    seeds.attemptsOf(
                                    clients.subList(0, MANY / 2).stream()
                                            .map(BenchService.Client::id)
                                            .toList(),
                                    "s4b-")
                            + "; intake refused " + withHung.refused + " of " + withHung.offered + " events"
                            + "; of the clients scenario 2 used: "
                            + seeds.attemptsOf(
                                    clients.subList(0, FEW).stream()
                                            .map(BenchService.Client::id)
                                            .toList(),
                                    "s4b-")
                            + "; service: " + service.metricLines("webhook_delivery_clients_tripped")
                            + "; cores busy: " + cpu + "; PostgreSQL time by statement (top 4): "
                            + postgres.topStatements("postgres", 4));
            double kept = withHung.perSecond / alone.perSecond;
            double p99 = Report.p99Millis(withHung.latencies);
            report.target(
                    "500 of 1,000 clients hung: the others keep ≥ 90 % of their throughput",
                    kept >= 0.9, Report.percent(kept));
            report.target(
                    "500 of 1,000 clients hung: the others' p99 latency < 1 s",
                    p99 < 1000,
                    String.format("%.0f ms", p99));
        } finally {
            receiver.releaseHung();
            answerNormally();
            seeds.cancelPending();
        }
    }

    private record Healthy(double perSecond, List<Long> latencies, List<Long> intake, int refused, int offered) {}

    private Healthy healthyRun(String prefix, int perSecond, int seconds, IntFunction<UUID> clientOf) throws Exception {
        Load.Offered offered = load.offer(service.intakeUrl(), perSecond, seconds, prefix, clientOf);
        List<String> healthyIds = new ArrayList<>();
        offered.scheduled().keySet().forEach(id -> {
            int i = Integer.parseInt(id.substring(prefix.length()));
            if (clientIndexOf(clientOf.apply(i)) < MANY / 2) {
                healthyIds.add(id);
            }
        });
        long lastScheduled = offered.scheduled().values().stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        long cutoff = lastScheduled + TimeUnit.SECONDS.toNanos(5);
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(cutoff - System.nanoTime())));
        List<Long> latencies = new ArrayList<>();
        List<Long> intake = new ArrayList<>();
        long arrived = 0;
        for (String id : healthyIds) {
            Long at = receiver.arrivals().get(id);
            long scheduled = offered.scheduled().get(id);
            Long accepted = offered.accepted().get(id);
            if (accepted != null) {
                intake.add(accepted - scheduled);
            }
            if (at != null && at <= cutoff) {
                arrived++;
                latencies.add(at - scheduled);
            } else {
                latencies.add(cutoff - scheduled);
            }
        }
        return new Healthy(arrived / (double) seconds, latencies, intake, offered.refused(), offered.total());
    }

    private int clientIndexOf(UUID id) {
        for (int i = 0; i < clients.size(); i++) {
            if (clients.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * 5. 2,000 attempts held open at once (1,000 clients, 2 each; every endpoint answers after 10 s): the most
     * requests the receiver saw open at once and the service's memory while they were.
     */
    void manyInFlight() throws Exception {
        receiver.answer(path -> path.startsWith("/c") ? 10_000 : 0);
        receiver.mostOpenSinceLastAsked();
        try {
            List<Load.Event> events = new ArrayList<>();
            for (int i = 0; i < 2 * MANY; i++) {
                events.add(new Load.Event(many(i), "s5-" + i));
            }
            for (int from = 0; from < events.size(); from += 1000) {
                serviceIntake(events.subList(from, from + 1000));
            }
            long mostRss = 0;
            long mostThreads = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
            while (System.nanoTime() < end) {
                mostRss = Math.max(mostRss, ProcessFacts.memoryMegabytes(service.pid(), "VmRSS"));
                mostThreads = Math.max(mostThreads, ProcessFacts.threads(service.pid()));
                Thread.sleep(100); // sampling another process's memory
            }
            long inFlight = receiver.mostOpenSinceLastAsked();
            long peak = ProcessFacts.memoryMegabytes(service.pid(), "VmHWM");
            String maxInFlight = service.setting("webhooks.delivery.max-in-flight", "the service's default");
            report.result(
                    "5. Attempts in flight (2,000 events, 1,000 clients, answers held 10 s; max-in-flight "
                            + maxInFlight + ")",
                    inFlight + " open at the receiver at once; service RSS up to " + mostRss + " MB, " + mostThreads
                            + " threads; peak RSS of the run so far (VmHWM) " + peak + " MB");
            report.target(
                    "peak RSS with 2,000 attempts in flight ≤ 512 MB",
                    inFlight >= 2000 && peak <= 512,
                    peak + " MB with " + inFlight + " in flight"
                            + (inFlight < 2000 ? " (2,000 never were: max-in-flight bounds it)" : ""));
        } finally {
            answerNormally();
            seeds.cancelPending();
        }
    }

    /**
     * 6. The delivery log with 5,000,000 deliveries in the table (seeded: 1,000,000 of them the queried client's,
     * the rest spread over 99 others): list, filter by a documentId that exists, and by one that does not.
     */
    void deliveryLog() throws Exception {
        long target = 5_000_000;
        long seedStart = System.nanoTime();
        long have = seeds.deliveries();
        long own = Math.min(1_000_000, Math.max(0, target - have));
        seeds.finishedDeliveries(List.of(clients.get(0).id()), own, "log0-", 0);
        List<UUID> others = clients.subList(1, FEW).stream().map(Client::id).toList();
        seeds.finishedDeliveries(others, Math.max(0, target - have - own), "log-", 0);
        postgres.execute("ANALYZE deliveries");
        postgres.execute("ANALYZE events");
        long rows = seeds.deliveries();
        long seeded = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - seedStart);
        String key = clients.get(0).apiKey();
        IntFunction<String> listing = i -> "/document_webhooks/deliveries?limit=20";
        IntFunction<String> existing =
                i -> "/document_webhooks/deliveries?documentId=log0-" + (i * 4999 % Math.max(1, own));
        IntFunction<String> absent = i -> "/document_webhooks/deliveries?documentId=no-such-" + i;
        // Cold: the first calls of these paths since the service started, while the JIT still compiles them.
        List<Long> list = timeCalls(listing, key, 0);
        List<Long> found = timeCalls(existing, key, 0);
        List<Long> missing = timeCalls(absent, key, 0);
        // Warm: the same, after 1,000 more calls of each, other documentIds than the measured ones.
        timeCalls(listing, key, 1_000, 1_000);
        timeCalls(existing, key, 1_000, 1_000);
        timeCalls(absent, key, 1_000, 1_000);
        List<Long> warmList = timeCalls(listing, key, 2_000);
        List<Long> warmFound = timeCalls(existing, key, 2_000);
        List<Long> warmMissing = timeCalls(absent, key, 2_000);
        String at = "6. Delivery log at " + String.format("%,d", rows) + " deliveries (seeded in " + seeded
                + " s), client with " + String.format("%,d", own) + ", ";
        report.result(at + "cold: list (limit 20)", Report.percentiles(list) + " (" + list.size() + " calls)");
        report.result(
                "6. … cold: filter by a documentId that exists",
                Report.percentiles(found) + " (" + found.size() + " calls)");
        report.result(
                "6. … cold: filter by a documentId that does not",
                Report.percentiles(missing) + " (" + missing.size() + " calls)");
        report.result(
                "6. … warm (after 1,000 calls of each): list / documentId that exists / that does not",
                Report.percentiles(warmList) + " / " + Report.percentiles(warmFound) + " / "
                        + Report.percentiles(warmMissing) + " (" + warmList.size() + " calls each)");
        double cold = Math.max(Report.p99Millis(list), Math.max(Report.p99Millis(found), Report.p99Millis(missing)));
        double warm = Math.max(
                Report.p99Millis(warmList), Math.max(Report.p99Millis(warmFound), Report.p99Millis(warmMissing)));
        report.target(
                "delivery log list / filter by documentId at 5,000,000 deliveries: p99 < 10 ms (warm)",
                rows >= target && warm < 10,
                String.format("worst p99 %.1f ms warm, %.1f ms cold, at %,d rows", warm, cold, rows));
    }

    /**
     * 7. A dead client (its endpoint accepts and never answers) with 1,000,000 due deliveries, beside 100 others:
     * their throughput without the backlog, then with it, and the claim statement's execution times while the
     * backlog is there (PostgreSQL's own log with {@code log_min_duration_statement = 0}, statements containing
     * {@code SKIP LOCKED}). The backlog stays for the rest of the run (undoing a million rows would take minutes).
     */
    void deadBacklog() throws Exception {
        Load.Flooded without = load.flood("s6a", 20_000, this::few, i -> true, this::serviceIntake, LIMIT);
        long seedStart = System.nanoTime();
        seeds.dueDeliveries(dead.id(), 1_000_000, "backlog-");
        long seeded = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - seedStart);
        BenchPostgres.StatementTiming timing = postgres.timeStatements();
        Load.Flooded with = load.flood("s6b", 20_000, this::few, i -> true, this::serviceIntake, LIMIT);
        List<Double> claims = timing.stop(line -> line.contains("SKIP LOCKED"));
        double[] sorted =
                claims.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double p99 = sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(0.99 * sorted.length) - 1)];
        double kept = with.deliveredPerSecond() / without.deliveredPerSecond();
        report.result("7. 100 clients, 20,000 events, no backlog", Report.perSecond(without.deliveredPerSecond()));
        report.result(
                "7. The same beside a dead client with 1,000,000 due deliveries (seeded in " + seeded + " s)",
                Report.perSecond(with.deliveredPerSecond()) + " (" + Report.percent(kept) + "; " + with.delivered()
                        + " of 20,000 delivered within " + LIMIT.toSeconds() + " s); claim statement: "
                        + sorted.length + " runs, "
                        + (sorted.length == 0
                                ? "none logged"
                                : String.format(
                                        "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                                        sorted[sorted.length / 2], p99, sorted[sorted.length - 1])));
        report.target(
                "dead client with 1,000,000 due: the others keep ≥ 90 % of their throughput",
                kept >= 0.9, Report.percent(kept));
        report.target("dead client with 1,000,000 due: claim p99 < 5 ms", p99 < 5, String.format("%.2f ms", p99));
    }

    /** Up to 200 calls, for at most 30 s; each one's time from send to the whole answer read, in nanoseconds. */
    private List<Long> timeCalls(IntFunction<String> path, String apiKey, int firstCall) throws Exception {
        return timeCalls(path, apiKey, firstCall, 200);
    }

    /** Calls {@code firstCall} to {@code firstCall + calls - 1} of {@code path}, for at most 30 s. */
    private List<Long> timeCalls(IntFunction<String> path, String apiKey, int firstCall, int calls) throws Exception {
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = firstCall; i < firstCall + calls && System.nanoTime() < end; i++) {
            long begin = System.nanoTime();
            HttpResponse<String> response = service.get(path.apply(i), apiKey);
            times.add(System.nanoTime() - begin);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the delivery log answered " + response.statusCode());
            }
        }
        return times;
    }

    /**
     * 8. Retention of a day at 1,000,000 deliveries a day: when {@code deliveries} is partitioned by creation
     * time, a day's partition is filled with 1,000,000 finished deliveries and dropped, one statement, timed.
     */
    void retention() throws Exception {
        String target = "retention of a day's partition at 1,000,000 deliveries/day: one statement, < 1 s";
        if (!seeds.deliveriesPartitioned()) {
            report.result("8. Retention of a day's partition", "not applicable: deliveries not partitioned");
            report.notMeasured(target, "not applicable: deliveries not partitioned");
            return;
        }
        int daysAgo = 40; // a day long past any retention test data, made for the purpose
        long noonAge = seeds.pastDay(daysAgo);
        seeds.finishedDeliveries(List.of(clients.get(1).id()), 1_000_000, "retention-", noonAge);
        String suffix = Seeds.daySuffix(daysAgo);
        long rows = seeds.rowsIn("deliveries_" + suffix);
        long begin = System.nanoTime();
        seeds.dropDay(suffix);
        double millis = (System.nanoTime() - begin) / 1e6;
        report.result(
                "8. Retention of a day's partition",
                String.format(
                        "DROP TABLE events_%s, deliveries_%s, delivery_attempts_%s (%,d deliveries and their events):"
                                + " %.0f ms",
                        suffix, suffix, suffix, rows, millis));
        report.target(target, millis < 1000, String.format("%.0f ms for %,d deliveries", millis, rows));
    }
}
