package com.idexa.webhooks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run found: one line per measurement and one per target of the scale issue (met, missed, or not
 * measured and why), printed as they come and written between the results markers of {@code BENCHMARKS.md}.
 */
final class Report {

    private static final String START = "<!-- results:start";
    private static final String END = "<!-- results:end -->";

    private final List<String> header = new ArrayList<>();
    private final List<String> results = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();

    void header(String name, String value) {
        System.out.println(name + ": " + value);
        header.add("| " + name + " | " + value + " |");
    }

    void result(String scenario, String value) {
        System.out.println("| " + scenario + " | " + value + " |");
        results.add("| " + scenario + " | " + value + " |");
    }

    void target(String target, boolean met, String measured) {
        String verdict = met ? "met" : "**missed**";
        System.out.println("TARGET " + target + ": " + (met ? "met" : "MISSED") + " (" + measured + ")");
        targets.add("| " + target + " | " + verdict + " | " + measured + " |");
    }

    void notMeasured(String target, String why) {
        System.out.println("TARGET " + target + ": not measured (" + why + ")");
        targets.add("| " + target + " | not measured | " + why + " |");
    }

    void write(Path file, Duration took) throws IOException {
        StringBuilder block =
                new StringBuilder(START + " (written by ./bench/run.sh; edit outside these markers) -->\n");
        block.append("Run of ")
                .append(LocalDate.now())
                .append(", ")
                .append(took.toSeconds())
                .append(" s in all.\n\n| machine | |\n|---|---|\n");
        header.forEach(line -> block.append(line).append('\n'));
        block.append("\n| scenario | result |\n|---|---|\n");
        results.forEach(line -> block.append(line).append('\n'));
        block.append("\n| target | verdict | measured |\n|---|---|---|\n");
        targets.forEach(line -> block.append(line).append('\n'));
        block.append(END);
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n" + START + " -->" + END + "\n";
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        String updated = start >= 0 && end > start
                ? text.substring(0, start) + block + text.substring(end + END.length())
                : text + "\n" + block + "\n";
        Files.writeString(file, updated);
        System.out.println(block);
    }

    static String perSecond(double rate) {
        return String.format("%,.0f/s", rate);
    }

    static String percent(double fraction) {
        return String.format("%.0f %%", 100 * fraction);
    }

    /** p50, p99 and max of nanosecond samples, in ms. */
    static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "no data";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                at(sorted, 0.50) / 1e6, at(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    static long at(long[] sorted, double quantile) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1))];
    }

    static double p99Millis(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return at(sorted, 0.99) / 1e6;
    }
}
