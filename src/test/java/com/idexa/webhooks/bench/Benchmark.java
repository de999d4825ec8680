package com.idexa.webhooks.bench;

import com.idexa.webhooks.bench.BenchService.Client;
import com.idexa.webhooks.support.MachineFacts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ./bench/run.sh [scenarios]}: starts an embedded PostgreSQL (durable: fsync and synchronous_commit on),
 * the service from its jar and a receiver on loopback, runs the scenarios of the scale issue ({@link Scenarios})
 * and writes the results into {@code BENCHMARKS.md}. Every loop is bounded in count and time; all traffic stays
 * on 127.0.0.1. {@code BENCH_FSYNC=off} runs on a non-durable PostgreSQL and writes to
 * {@code target/bench-fsync-off.md} instead.
 */
public final class Benchmark {

    private Benchmark() {}

    private interface Step {
        void run() throws Exception;
    }

    /** Runs one scenario; one that fails is reported as failed and the run goes on with the next. */
    private static void run(Report report, String scenario, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            report.result(
                    scenario + ". failed",
                    e.toString().lines().findFirst().orElse("").replace('|', '/'));
        }
    }

    public static void main(String[] args) {
        try {
            runAll(args);
            System.exit(0); // the receiver's and HTTP clients' threads would keep the JVM alive
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void runAll(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        boolean durable = !"off".equals(System.getenv("BENCH_FSYNC"));
        Path reportFile = durable ? Path.of(args[1]) : Path.of("target", "bench-fsync-off.md");
        List<String> only =
                args.length > 2 ? List.of(args[2].split(",")) : List.of("2", "3", "4", "5", "6", "7", "8", "9");
        long begin = System.nanoTime();
        Report report = new Report();
        try (BenchPostgres postgres = BenchPostgres.start(durable);
                BenchReceiver receiver = new BenchReceiver()) {
            report.header("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
            report.header("CPU", MachineFacts.cpuModel());
            report.header("load average (1 min) at the start", ProcessFacts.loadAverage());
            report.header("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            report.header(
                    "PostgreSQL (embedded, as SHOW reports it)",
                    postgres.settings() + (durable ? "" : " (NOT durable: labelled run)"));
            Optional<String> java25 = FastStart.java();
            Optional<FastStart.Startup> fastStart = Optional.empty();
            if (java25.isPresent()) {
                try {
                    fastStart = Optional.of(FastStart.measure(java25.get(), jar, postgres));
                } catch (Exception e) {
                    e.printStackTrace();
                    report.result("0. Startup, fast start: failed", e.toString().replace('|', '/'));
                }
            } else {
                report.result("0. Startup, fast start", "not measured: no JDK 25 or later (BENCH_FAST_START_JAVA)");
            }
            try (BenchService service = BenchService.start(jar, postgres.jdbcUrl())) {
                report.header("service", service.describeSettings());
                report.result(
                        "0. Startup: process start to ready, `java -jar` on the JDK above, empty database",
                        service.readyMillis() + " ms");
                fastStart.ifPresent(fast -> report.result(
                        "0. Startup, fast start (README): " + fast.java()
                                + ", Spring AOT + AOT cache; empty database / restart",
                        fast.firstStartMillis() + " ms / " + fast.restartMillis() + " ms"));
                long ready = fastStart.map(FastStart.Startup::firstStartMillis).orElse(service.readyMillis());
                report.target(
                        "ready after start ≤ 5 s (fast start where a JDK 25 is found, empty database)",
                        ready <= 5000,
                        ready + " ms");
                long registering = System.nanoTime();
                List<Client> clients = service.registerClients(1000, i -> receiver.url(Scenarios.endpointPath(i)));
                Client dead = service.registerClients(1, i -> receiver.url(Scenarios.deadEndpointPath()))
                        .get(0);
                System.out.printf(
                        "registered 1,001 clients in %d s%n",
                        Duration.ofNanos(System.nanoTime() - registering).toSeconds());
                Scenarios scenarios = new Scenarios(postgres, service, receiver, report, clients, dead);
                run(report, "1", scenarios::receiverCeiling);
                Map<String, Step> steps = new LinkedHashMap<>();
                steps.put("2", scenarios::throughput);
                steps.put("3", scenarios::slowReceivers);
                steps.put("4", scenarios::hungHalf);
                steps.put("5", scenarios::manyInFlight);
                steps.put("6", scenarios::deliveryLog);
                steps.put("7", scenarios::deadBacklog);
                steps.put("8", scenarios::retention);
                steps.put(
                        "9",
                        new KafkaIntakeBench(jar, postgres.jdbcUrl(), service, report, new Load(receiver), clients)
                                ::run);
                for (Map.Entry<String, Step> step : steps.entrySet()) {
                    if (only.contains(step.getKey())) {
                        run(report, step.getKey(), step.getValue());
                    }
                }
                report.result(
                        "Peak RSS of the service over the run (VmHWM)",
                        ProcessFacts.memoryMegabytes(service.pid(), "VmHWM") + " MB");
                report.header("load average (1 min) at the end", ProcessFacts.loadAverage());
            }
        }
        report.write(reportFile, Duration.ofNanos(System.nanoTime() - begin));
    }
}
