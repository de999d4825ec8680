package com.idexa.webhooks.faults;

import com.idexa.webhooks.support.MachineFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes the harness's results into {@code RELIABILITY.md} between markers, so the hand-written text around them
 * survives a rerun. Each scenario has markers of its own: {@code ./faults/run.sh 3} rewrites scenario 3 and keeps
 * the others as they were.
 */
final class ReliabilityReport {

    private static final String START =
            "<!-- results:start (written by ./faults/run.sh; edit outside these markers) -->";
    private static final String END = "<!-- results:end -->";
    private static final Pattern SCENARIO =
            Pattern.compile("<!-- scenario (\\d+):start -->\\n(.*?)<!-- scenario \\1:end -->", Pattern.DOTALL);

    private ReliabilityReport() {}

    static void write(
            Path report,
            Map<Integer, String> titles,
            Map<Integer, ScenarioFindings> findings,
            String database,
            Map<String, String> settings,
            String command,
            Duration took)
            throws IOException {
        String text = Files.exists(report)
                ? Files.readString(report)
                : "# Reliability under faults\n\n<!-- results:start --><!-- results:end -->\n";
        int start = text.indexOf("<!-- results:start");
        int end = text.indexOf(END);
        String previous = start >= 0 && end > start ? text.substring(start, end) : "";

        Map<Integer, String> blocks = new TreeMap<>();
        Matcher kept = SCENARIO.matcher(previous);
        while (kept.find()) {
            blocks.put(Integer.valueOf(kept.group(1)), kept.group(2));
        }
        findings.forEach((scenario, found) -> {
            StringBuilder block = new StringBuilder();
            block.append("### ")
                    .append(scenario)
                    .append(". ")
                    .append(titles.get(scenario))
                    .append("\n\nRun of ")
                    .append(LocalDate.now())
                    .append(".\n\n| measure | result |\n|---|---|\n");
            found.rows()
                    .forEach((name, value) -> block.append("| ")
                            .append(name)
                            .append(" | ")
                            .append(value.replace("|", "\\|"))
                            .append(" |\n"));
            blocks.put(scenario, block.append('\n').toString());
        });

        StringBuilder results = new StringBuilder(START).append('\n');
        results.append("Last run: `")
                .append(command)
                .append("` on ")
                .append(LocalDate.now())
                .append(", ")
                .append(took.toSeconds())
                .append(" s in all.\n\n");
        results.append("| cores | JDK | PostgreSQL (version, fsync, synchronous_commit) | CPU |\n|---|---|---|---|\n| ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" | ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append(" | ")
                .append(database)
                .append(" | ")
                .append(MachineFacts.cpuModel())
                .append(" |\n\n");
        results.append("Service settings besides the database, tokens and key: ")
                .append(settings.entrySet().stream()
                        .map(e -> "`--" + e.getKey() + "=" + e.getValue() + "`")
                        .collect(Collectors.joining(", ")))
                .append("; `-Xmx256m`. Load: ")
                .append(FaultHarness.EVENTS_PER_SECOND)
                .append(" events/s over ")
                .append(FaultHarness.CLIENTS)
                .append(" clients, one intake call each.\n\n");
        blocks.forEach((scenario, block) -> results.append("<!-- scenario ")
                .append(scenario)
                .append(":start -->\n")
                .append(block)
                .append("<!-- scenario ")
                .append(scenario)
                .append(":end -->\n\n"));
        String updated = start >= 0 && end > start
                ? text.substring(0, start) + results + text.substring(end)
                : text + "\n" + results + END + "\n";
        Files.writeString(report, updated);
        System.out.println(results);
    }
}
