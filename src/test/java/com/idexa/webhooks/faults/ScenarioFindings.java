package com.idexa.webhooks.faults;

import com.idexa.webhooks.faults.FaultReceiver.Ending;
import com.idexa.webhooks.faults.FaultReceiver.Request;
import com.idexa.webhooks.faults.IntakeLoad.Answer;
import com.idexa.webhooks.faults.IntakeLoad.Call;
import com.idexa.webhooks.faults.IntakeLoad.Event;
import com.idexa.webhooks.faults.ReadinessProbe.Sample;
import com.idexa.webhooks.faults.ReadinessProbe.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What one scenario showed, computed from what the harness saw from outside: the intake answers, the requests the
 * receiver got, and the readiness samples. Nothing is read from the service or its database.
 */
final class ScenarioFindings {

    /**
     * One fault: it began at {@code start} and ended at {@code end} (the same instant for a kill for good). "During
     * the fault" is from its start to its end, and at least 5 s.
     */
    record Fault(String label, long start, long end) {
        long observedUntil() {
            return Math.max(end, start + Duration.ofSeconds(5).toNanos());
        }

        boolean covers(long at) {
            return at >= start && at <= observedUntil();
        }
    }

    private final Map<String, String> rows = new LinkedHashMap<>();
    private final List<String> defects = new ArrayList<>();
    private final long lost;

    private ScenarioFindings(String why) {
        rows.put("**The scenario could not run**", why.replace('\n', ' '));
        lost = 0;
    }

    /** A scenario that broke off (a service that did not start in time, say): the table says why. */
    static ScenarioFindings notRun(String why) {
        return new ScenarioFindings(why);
    }

    ScenarioFindings(
            long loadStart,
            List<Fault> faults,
            List<Event> events,
            List<Call> calls,
            List<Request> requests,
            List<Sample> readiness,
            Predicate<Integer> unaffectedClient,
            Map<String, String> missingStatus) {
        // ---- events and deliveries
        Map<String, Event> byDeliveryId = new HashMap<>();
        Map<String, Event> byEventId = new HashMap<>();
        for (Event event : events) {
            byEventId.put(event.eventId, event);
            if (event.deliveryId != null) {
                byDeliveryId.put(event.deliveryId, event);
            }
        }
        long accepted = events.stream().filter(e -> e.accepted != 0).count();
        Map<String, List<Request>> byWebhookId = requests.stream()
                .filter(r -> r.webhookId() != null)
                .collect(Collectors.groupingBy(Request::webhookId, TreeMap::new, Collectors.toList()));
        Map<String, Long> firstDelivered = new HashMap<>();
        byWebhookId.forEach((id, list) -> list.stream()
                .filter(r -> r.ending() == Ending.ANSWERED_2XX)
                .mapToLong(Request::ended)
                .min()
                .ifPresent(t -> firstDelivered.put(id, t)));
        lost = byDeliveryId.keySet().stream()
                .filter(id -> !firstDelivered.containsKey(id))
                .count();
        long deliveredUnanswered = firstDelivered.keySet().stream()
                .filter(id -> !byDeliveryId.containsKey(id))
                .count();
        Map<String, Set<String>> webhookIdsByDocument = new HashMap<>();
        requests.forEach(r -> webhookIdsByDocument
                .computeIfAbsent(r.documentId(), d -> new HashSet<>())
                .add(r.webhookId()));
        long doubleCreated = webhookIdsByDocument.values().stream()
                .filter(ids -> ids.size() > 1)
                .count();

        // ---- duplicates
        long resentAfter2xx = 0;
        long resentIds = 0;
        long overlaps = 0;
        long retriesAfterFailure = 0;
        for (List<Request> list : byWebhookId.values()) {
            list.sort(Comparator.comparingLong(Request::arrived));
            long openUntil = Long.MIN_VALUE;
            boolean succeeded = false;
            boolean resent = false;
            for (Request request : list) {
                if (request.arrived() < openUntil) {
                    overlaps++;
                }
                if (succeeded) {
                    resentAfter2xx++;
                    resent = true;
                } else if (openUntil != Long.MIN_VALUE) {
                    retriesAfterFailure++;
                }
                openUntil = Math.max(openUntil, request.ended());
                succeeded |= request.ending() == Ending.ANSWERED_2XX;
            }
            resentIds += resent ? 1 : 0;
        }

        // ---- recovery
        double worstFlowing = 0;
        double worstDrained = 0;
        boolean neverDrained = false;
        for (Fault fault : faults) {
            long firstAfter = firstDelivered.values().stream()
                    .filter(t -> t >= fault.end())
                    .mapToLong(Long::longValue)
                    .min()
                    .orElse(Long.MAX_VALUE);
            worstFlowing = Math.max(worstFlowing, seconds(firstAfter - fault.end()));
            long lastOfBacklog = fault.end();
            for (Event event : events) {
                if (event.accepted != 0 && event.accepted <= fault.end() && event.deliveryId != null) {
                    Long delivered = firstDelivered.get(event.deliveryId);
                    if (delivered == null) {
                        neverDrained = true;
                    } else {
                        lastOfBacklog = Math.max(lastOfBacklog, delivered);
                    }
                }
            }
            worstDrained = Math.max(worstDrained, seconds(lastOfBacklog - fault.end()));
        }

        // ---- rows
        rows.put(
                "Fault",
                faults.stream()
                        .map(f -> f.label() + " at " + at(f.start() - loadStart)
                                + (f.end() > f.start() ? " for " + secs(f.end() - f.start()) : ""))
                        .collect(Collectors.joining("; ")));
        rows.put(
                "Events offered / accepted (202)",
                events.size() + " / " + accepted
                        + (accepted < events.size()
                                ? " (" + (events.size() - accepted) + " never accepted before the harness gave up)"
                                : ""));
        long worstSendDelay = events.stream()
                .filter(e -> e.firstSent != 0)
                .mapToLong(e -> e.firstSent - e.scheduled)
                .max()
                .orElse(0);
        rows.put(
                "Offered on schedule? (worst delay of an event's first intake call)",
                String.format("%.1f s", seconds(worstSendDelay))
                        + (worstSendDelay > 1_000_000_000L
                                ? " (all " + IntakeLoad.SENDERS + " senders were busy)"
                                : ""));
        long lastFaultEnd = faults.stream().mapToLong(Fault::end).max().orElse(loadStart);
        long caughtUp = events.stream()
                .filter(e -> e.firstSent != 0 && e.firstSent - e.scheduled > 1_000_000_000L)
                .mapToLong(e -> e.firstSent)
                .max()
                .orElse(lastFaultEnd);
        rows.put(
                "Intake caught up with the offered rate (last first call more than 1 s late), after the fault ended",
                String.format("%.1f s", Math.max(0, seconds(caughtUp - lastFaultEnd))));
        rows.put("Delivered (distinct webhook-ids answered 2xx)", Long.toString(firstDelivered.size()));
        rows.put("**Lost** (accepted, never answered 2xx after the drain)", bold(lost));
        if (lost > 0) {
            Map<String, Long> byStatus = new TreeMap<>();
            byDeliveryId.keySet().stream()
                    .filter(id -> !firstDelivered.containsKey(id))
                    .forEach(id -> byStatus.merge(
                            missingStatus.getOrDefault(id, "not in the table").replaceAll(" after \\d+ attempts", ""),
                            1L,
                            Long::sum));
            rows.put(
                    "Lost: their status in the service's table at the end",
                    byStatus.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")));
        }
        rows.put(
                "Delivered though the intake call never got a 202",
                deliveredUnanswered + (deliveredUnanswered > 0 ? " (committed, but the answer was an error)" : ""));
        rows.put(
                "Duplicates: sequential re-sends after a 2xx",
                resentAfter2xx + " requests (" + resentIds + " webhook-ids)");
        rows.put("Duplicates: concurrent overlaps (one webhook-id in flight twice at once)", bold(overlaps));
        rows.put("One event delivered under two webhook-ids", bold(doubleCreated));
        rows.put("Retries after an attempt without a 2xx (expected)", Long.toString(retriesAfterFailure));
        rows.put(
                "Worst time to recover: deliveries flowing again after the fault ended",
                firstDeliveredAfterAll(worstFlowing));
        rows.put(
                "Worst time to recover: everything accepted before the fault ended is delivered",
                neverDrained ? "**never** (some were lost)" : String.format("%.1f s", worstDrained));
        rows.put("Delivery lag (202 → first 2xx) p50 / p99 / max", lags(events, firstDelivered, e -> true));
        if (unaffectedClient != null) {
            rows.put(
                    "Delivery lag of the healthy half, events accepted during the fault",
                    lags(
                            events,
                            firstDelivered,
                            e -> unaffectedClient.test(e.client)
                                    && faults.stream().anyMatch(f -> f.covers(e.accepted))));
        }
        rows.put(
                "Intake answers during the fault",
                answers(calls.stream()
                        .filter(c -> faults.stream().anyMatch(f -> f.covers(c.sent())))
                        .toList()));
        rows.put("Intake answers, whole run", answers(calls));
        long lastEnd = faults.stream().mapToLong(Fault::observedUntil).max().orElse(loadStart);
        rows.put(
                "Readiness during the fault",
                readiness(readiness.stream()
                        .filter(s -> faults.stream().anyMatch(f -> f.covers(s.at())))
                        .toList()));
        double worstUp = 0;
        for (Fault fault : faults) {
            long firstUp = readiness.stream()
                    .filter(s -> s.state() == State.UP && s.at() >= fault.end())
                    .mapToLong(Sample::at)
                    .min()
                    .orElse(Long.MAX_VALUE);
            worstUp = Math.max(worstUp, seconds(firstUp - fault.end()));
        }
        rows.put(
                "Readiness after the fault",
                readiness(readiness.stream().filter(s -> s.at() > lastEnd).toList()) + "; UP "
                        + (worstUp > 1e6 ? "**never**" : String.format("%.1f s", worstUp))
                        + " after the fault ended (worst)");

        long errors = count(calls, Answer.ERROR_500) + count(calls, Answer.OTHER_STATUS);
        long timeouts = count(calls, Answer.TIMEOUT);
        long readinessTimeouts =
                readiness.stream().filter(s -> s.state() == State.TIMEOUT).count();
        if (lost > 0) {
            defects.add(lost + " lost");
        }
        if (overlaps > 0) {
            defects.add(overlaps + " concurrent overlaps");
        }
        if (doubleCreated > 0) {
            defects.add(doubleCreated + " events delivered twice under two webhook-ids");
        }
        if (errors > 0) {
            defects.add(errors + " intake 5xx/other answers that are not a clean 503");
        }
        if (count(calls, Answer.OTHER_503) > 0) {
            defects.add(count(calls, Answer.OTHER_503) + " 503s without a problem document and Retry-After");
        }
        if (timeouts > 0) {
            defects.add(timeouts + " intake calls unanswered within 5 s");
        }
        if (readinessTimeouts > 0) {
            defects.add(readinessTimeouts + " readiness probes unanswered within 1 s");
        }
        rows.put("Defects seen", defects.isEmpty() ? "none" : "**" + String.join("; ", defects) + "**");
    }

    Map<String, String> rows() {
        return rows;
    }

    long lost() {
        return lost;
    }

    private static String firstDeliveredAfterAll(double seconds) {
        return seconds > 1e6 ? "**never**" : String.format("%.1f s", seconds);
    }

    private static String lags(List<Event> events, Map<String, Long> firstDelivered, Predicate<Event> which) {
        long[] lags = events.stream()
                .filter(e -> e.accepted != 0 && e.deliveryId != null && firstDelivered.containsKey(e.deliveryId))
                .filter(which)
                .mapToLong(e -> Math.max(0, firstDelivered.get(e.deliveryId) - e.accepted))
                .sorted()
                .toArray();
        if (lags.length == 0) {
            return "no deliveries";
        }
        return String.format(
                "%.2f s / %.2f s / %.1f s (%d deliveries)",
                seconds(at(lags, 0.5)), seconds(at(lags, 0.99)), seconds(lags[lags.length - 1]), lags.length);
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1))];
    }

    private static String answers(List<Call> calls) {
        if (calls.isEmpty()) {
            return "none";
        }
        Map<Answer, Long> counts = new EnumMap<>(Answer.class);
        Map<Integer, Long> otherStatuses = new TreeMap<>();
        long slowest = 0;
        for (Call call : calls) {
            counts.merge(call.answer(), 1L, Long::sum);
            if (call.answer() == Answer.OTHER_STATUS) {
                otherStatuses.merge(call.status(), 1L, Long::sum);
            }
            if (call.answer() != Answer.TIMEOUT && call.answer() != Answer.CONNECTION_FAILED) {
                slowest = Math.max(slowest, call.ended() - call.sent());
            }
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((answer, n) -> {
            String label = answer == Answer.OTHER_STATUS ? "status " + otherStatuses : answer.label;
            boolean defect = answer == Answer.ERROR_500
                    || answer == Answer.OTHER_STATUS
                    || answer == Answer.OTHER_503
                    || answer == Answer.TIMEOUT;
            parts.add((defect ? "**" : "") + label + ": " + n + (defect ? "**" : ""));
        });
        return String.join(", ", parts) + "; slowest answer " + String.format("%.2f s", seconds(slowest));
    }

    private static String readiness(List<Sample> samples) {
        if (samples.isEmpty()) {
            return "no samples";
        }
        Map<String, Map<State, Long>> byInstance = new TreeMap<>();
        for (Sample sample : samples) {
            byInstance
                    .computeIfAbsent(sample.instance(), i -> new EnumMap<>(State.class))
                    .merge(sample.state(), 1L, Long::sum);
        }
        return byInstance.entrySet().stream()
                .map(instance -> instance.getKey() + ": "
                        + instance.getValue().entrySet().stream()
                                .map(e -> (e.getKey() == State.TIMEOUT
                                        ? "**timeout " + e.getValue() + "**"
                                        : e.getKey().name() + " " + e.getValue()))
                                .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
    }

    private static long count(List<Call> calls, Answer answer) {
        return calls.stream().filter(c -> c.answer() == answer).count();
    }

    private static String bold(long n) {
        return n == 0 ? "0" : "**" + n + "**";
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String secs(long nanos) {
        return String.format("%.1f s", seconds(nanos));
    }

    private static String at(long nanos) {
        return String.format("%.1f s", seconds(nanos));
    }
}
