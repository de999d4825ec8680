package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.delivery.DeliveryNotifications;
import com.idexa.webhooks.web.FieldProblem;
import com.idexa.webhooks.web.InvalidRequest;
import com.idexa.webhooks.webhook.WebhookService;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Recovers what a client missed in a window of time: its FAILED deliveries are sent again with a fresh retry
 * schedule, and its events that got no delivery (it had no webhook then) get one for its current webhook.
 *
 * <p>Exactly once: a recovery changes only FAILED deliveries (it makes them PENDING) and events without any
 * delivery (it gives them one), so a second recovery of the same window finds nothing new. A delivery it requeued
 * is requeued again only if it has FAILED again since; an event never gets a second delivery from it. Recoveries of
 * one client run one at a time.
 */
@Service
class DeliveryRecovery {

    static final Duration MAX_BACK = Duration.ofDays(14);
    static final int MAX_PER_CALL = 10_000;

    private final RecoveryRepository recovery;
    private final DeliveryNotifications notifications;
    private final Clock clock;

    DeliveryRecovery(RecoveryRepository recovery, DeliveryNotifications notifications, Clock clock) {
        this.recovery = recovery;
        this.notifications = notifications;
        this.clock = clock;
    }

    @Transactional
    Recovery.Result recoverDeliveries(UUID clientId, Recovery.Request request) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        List<FieldProblem> problems = new ArrayList<>();
        OffsetDateTime since = time(request == null ? null : request.since(), "since", true, problems);
        OffsetDateTime until = time(request == null ? null : request.until(), "until", false, problems);
        if (since != null && since.isBefore(now.minus(MAX_BACK))) {
            problems.add(new FieldProblem("since", "since must be at most 14 days back"));
        }
        if (since != null && since.isAfter(now)) {
            problems.add(new FieldProblem("since", "since must not be in the future"));
        }
        if (since != null && until != null && !until.isAfter(since)) {
            problems.add(new FieldProblem("until", "until must be after since"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequest(problems);
        }
        OffsetDateTime end = until == null || until.isAfter(now) ? now : until; // a window never reaches past now
        int type = recovery.webhookType(clientId).orElseThrow(WebhookService::noWebhook);
        if (!recovery.tryLockClient(clientId)) {
            throw new RecoveryRunning();
        }
        long touched = recovery.count(clientId, type, since, end, MAX_PER_CALL);
        if (touched > MAX_PER_CALL) {
            throw new InvalidRequest(
                    "since",
                    "the window holds more than " + MAX_PER_CALL + " deliveries to recover; recover it in shorter "
                            + "windows (since and until)");
        }
        Recovery.Result result = recovery.recover(clientId, type, since, end);
        if (result.requeued() + result.created() > 0) {
            notifications.deliveriesBecameDue(List.of(clientId));
        }
        return result;
    }

    private static OffsetDateTime time(String value, String field, boolean required, List<FieldProblem> problems) {
        if (value == null || value.isBlank()) {
            if (required) {
                problems.add(new FieldProblem(field, field + " is required"));
            }
            return null;
        }
        IsoTimes.Result parsed = IsoTimes.parse(field, value);
        parsed.problemIfAny().ifPresent(problems::add);
        return parsed.time();
    }
}
