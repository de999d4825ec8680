package com.idexa.webhooks.faults;

import com.idexa.webhooks.faults.FaultReceiver.Request;
import com.idexa.webhooks.faults.IntakeLoad.Call;
import com.idexa.webhooks.faults.IntakeLoad.Event;
import com.idexa.webhooks.faults.ReadinessProbe.Sample;
import com.idexa.webhooks.faults.ScenarioFindings.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Everything one scenario saw, as CSV files next to the service logs ({@code target/faults/s<n>/}), for reading
 * what the table sums up. Times are milliseconds since the load began.
 */
final class RawData {

    private RawData() {}

    static void write(
            Path directory,
            long loadStart,
            List<Fault> faults,
            List<Event> events,
            List<Call> calls,
            List<Request> requests,
            List<Sample> readiness)
            throws IOException {
        Function<Long, String> ms = nanos -> nanos == 0 ? "" : Long.toString((nanos - loadStart) / 1_000_000);
        csv(
                directory.resolve("faults.csv"),
                "label,start_ms,end_ms",
                faults.stream().map(f -> f.label() + "," + ms.apply(f.start()) + "," + ms.apply(f.end())));
        csv(
                directory.resolve("events.csv"),
                "event_id,client,scheduled_ms,accepted_ms,delivery_id,attempts",
                events.stream()
                        .map(e -> e.eventId + "," + e.client + "," + ms.apply(e.scheduled) + "," + ms.apply(e.accepted)
                                + "," + (e.deliveryId == null ? "" : e.deliveryId) + "," + e.attempts));
        csv(
                directory.resolve("intake-calls.csv"),
                "event_id,sent_ms,ended_ms,instance,answer,status",
                calls.stream()
                        .map(c -> c.eventId() + "," + ms.apply(c.sent()) + "," + ms.apply(c.ended()) + ","
                                + c.instance() + "," + c.answer() + "," + c.status()));
        csv(
                directory.resolve("receiver-requests.csv"),
                "webhook_id,client,document_id,arrived_ms,ended_ms,ending",
                requests.stream()
                        .map(r -> r.webhookId() + "," + r.client() + "," + r.documentId() + "," + ms.apply(r.arrived())
                                + "," + ms.apply(r.ended()) + "," + r.ending()));
        csv(
                directory.resolve("readiness.csv"),
                "at_ms,instance,state",
                readiness.stream().map(s -> ms.apply(s.at()) + "," + s.instance() + "," + s.state()));
    }

    private static void csv(Path file, String header, Stream<String> lines) throws IOException {
        Files.writeString(file, header + "\n" + lines.collect(Collectors.joining("\n")) + "\n");
    }
}
