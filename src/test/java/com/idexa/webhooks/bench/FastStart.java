package com.idexa.webhooks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Startup the README's fast-start way: the jar extracted, its Spring AOT classes on
 * ({@code -Dspring.aot.enabled=true}) and a JDK 25 AOT cache made by one training run ({@code -XX:AOTCacheOutput},
 * {@code -Dspring.context.exit=onRefresh}). Needs a JDK 25 or later: {@code BENCH_FAST_START_JAVA}, else the newest
 * under {@code /usr/lib/jvm}; without one the report says so.
 */
final class FastStart {

    private static final Pattern MAJOR = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private FastStart() {}

    record Startup(String java, long firstStartMillis, long restartMillis) {}

    static Optional<String> java() throws IOException {
        String given = System.getenv("BENCH_FAST_START_JAVA");
        if (given != null && !given.isBlank()) {
            return Optional.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> major(home) >= 25)
                    .max((a, b) -> Integer.compare(major(a), major(b)))
                    .map(home -> home.resolve("bin/java").toString());
        }
    }

    /**
     * Extracts the jar, trains the cache on one fresh database, then starts the service on another: once on an
     * empty database (migrations run), once more on the same (a restart).
     */
    static Startup measure(String java, Path jar, BenchPostgres postgres) throws Exception {
        Path directory = Path.of("target", "fast-start").toAbsolutePath();
        Files.deleteIfExists(Path.of("target", "fast-start-training.log"));
        run(List.of(
                java,
                "-Djarmode=tools",
                "-jar",
                jar.toString(),
                "extract",
                "--destination",
                directory.toString(),
                "--force"));
        Path extracted = directory.resolve(jar.getFileName());
        Path cache = directory.resolve("service.aot");
        Files.deleteIfExists(cache);
        Map<String, String> training = BenchService.settings(postgres.newDatabase("fast_start_training"), Map.of());
        training.put("server.port", "0");
        run(BenchService.command(
                java,
                List.of("-XX:AOTCacheOutput=" + cache, "-Dspring.aot.enabled=true", "-Dspring.context.exit=onRefresh"),
                extracted,
                training));
        if (!Files.exists(cache)) {
            throw new IllegalStateException("the training run made no AOT cache; see target/fast-start-training.log");
        }
        List<String> options = List.of("-XX:AOTCache=" + cache, "-Dspring.aot.enabled=true");
        String database = postgres.newDatabase("fast_start");
        long first;
        try (BenchService service =
                BenchService.start(java, options, extracted, database, Map.of(), "bench-fast-start.log")) {
            first = service.readyMillis();
        }
        try (BenchService service =
                BenchService.start(java, options, extracted, database, Map.of(), "bench-fast-restart.log")) {
            return new Startup(java, first, service.readyMillis());
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        Path.of("target", "fast-start-training.log").toFile()))
                .start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("did not finish in 3 minutes: " + command.get(0) + " ...");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("exit " + process.exitValue() + " from "
                    + String.join(" ", command.subList(0, 4)) + " ...; see target/fast-start-training.log");
        }
    }

    private static int major(Path home) {
        try {
            Matcher version = MAJOR.matcher(Files.readString(home.resolve("release")));
            return version.find() && Files.isExecutable(home.resolve("bin/java"))
                    ? Integer.parseInt(version.group(1))
                    : 0;
        } catch (IOException noRelease) {
            return 0;
        }
    }
}
