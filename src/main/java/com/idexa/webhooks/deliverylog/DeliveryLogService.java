package com.idexa.webhooks.deliverylog;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.idexa.webhooks.delivery.DeliveryNotifications;
import com.idexa.webhooks.delivery.DeliveryStatus;
import com.idexa.webhooks.intake.EventIntakeService;
import com.idexa.webhooks.web.InvalidRequest;
import com.idexa.webhooks.webhook.WebhookService;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What a client can see and do with its deliveries: list, inspect, send again, send a test. */
@Service
class DeliveryLogService {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final int STATS_HOURS = 24;
    static final int STATS_TIMEOUT_SECONDS = 5;

    private final Cache<UUID, DeliveryView.Stats> statsByClient = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

    private final DeliveryLogRepository log;
    private final EventIntakeService intake;
    private final DeliveryNotifications notifications;
    private final JsonMapper json;
    private final Clock clock;
    private final TransactionTemplate readOnly;

    DeliveryLogService(
            DeliveryLogRepository log,
            EventIntakeService intake,
            DeliveryNotifications notifications,
            JsonMapper json,
            Clock clock,
            PlatformTransactionManager transactions) {
        this.log = log;
        this.intake = intake;
        this.notifications = notifications;
        this.json = json;
        this.clock = clock;
        this.readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
    }

    @Transactional(readOnly = true)
    DeliveryView.Page listDeliveries(
            UUID clientId, DeliveryStatus status, String documentId, String before, String cursor, Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new InvalidRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        LogCursor after = earlier(cursor(cursor), before(before));
        log.preferGenericPlans();
        boolean held = log.endpointDisabled(clientId);
        if ((status == DeliveryStatus.HELD && !held) || (status == DeliveryStatus.PENDING && held)) {
            return new DeliveryView.Page(List.of(), null); // pending deliveries are either all held or none
        }
        DeliveryStatus stored = status == DeliveryStatus.HELD ? DeliveryStatus.PENDING : status;
        List<DeliveryView.Item> rows = log.list(clientId, stored, documentId, after, size + 1).stream()
                .map(item -> held ? item.held() : item)
                .toList();
        if (rows.size() <= size) {
            return new DeliveryView.Page(rows, null);
        }
        List<DeliveryView.Item> page = rows.subList(0, size);
        DeliveryView.Item last = page.get(size - 1);
        return new DeliveryView.Page(page, new LogCursor(last.createdAt(), last.id()).encode());
    }

    /**
     * The last 24 hours, hour by hour, oldest first. Kept a minute per client (the console asks on every sign-in);
     * computed under a statement timeout, since its cost grows with the client's volume (for a client with
     * hundreds of thousands of deliveries a day it takes seconds): past it the answer is a 503 that names the
     * statistics, and no connection is held longer.
     *
     * @throws StatisticsUnavailable when they took longer than {@value #STATS_TIMEOUT_SECONDS} s
     */
    DeliveryView.Stats stats(UUID clientId) {
        OffsetDateTime to = clock.instant()
                .truncatedTo(ChronoUnit.HOURS)
                .atOffset(ZoneOffset.UTC)
                .plusHours(1);
        DeliveryView.Stats kept = statsByClient.getIfPresent(clientId);
        if (kept != null && kept.to().equals(to)) {
            return kept;
        }
        OffsetDateTime from = to.minusHours(STATS_HOURS);
        try {
            // Only a miss takes a connection: the console asks on every sign-in.
            DeliveryView.Stats stats = readOnly.execute(status -> {
                log.limitStatementsTo(STATS_TIMEOUT_SECONDS);
                return new DeliveryView.Stats(from, to, log.hourly(clientId, from, to));
            });
            statsByClient.put(clientId, stats);
            return stats;
        } catch (QueryTimeoutException e) {
            throw new StatisticsUnavailable(STATS_TIMEOUT_SECONDS);
        }
    }

    /** {@code before} as a position in the log: everything created before that time. */
    private static LogCursor before(String before) {
        if (before == null) {
            return null;
        }
        IsoTimes.Result parsed = IsoTimes.parse("before", before);
        if (parsed.problem() != null) {
            throw new InvalidRequest(List.of(parsed.problem()));
        }
        OffsetDateTime time = parsed.time();
        return new LogCursor(time, new UUID(0, 0));
    }

    private static LogCursor earlier(LogCursor a, LogCursor b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.createdAt().isBefore(b.createdAt()) ? a : b;
    }

    private static LogCursor cursor(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            return LogCursor.decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("cursor", "cursor is not one this API returned");
        }
    }

    @Transactional(readOnly = true)
    DeliveryView.Detail showDelivery(UUID clientId, UUID deliveryId) {
        log.preferGenericPlans();
        DeliveryView.Item item = log.find(clientId, deliveryId).orElseThrow(() -> new DeliveryNotFound(deliveryId));
        if (log.endpointDisabled(clientId)) {
            item = item.held();
        }
        return new DeliveryView.Detail(item, log.attempts(deliveryId));
    }

    /** Sends a finished delivery again now, with a fresh retry schedule. */
    @Transactional
    DeliveryView.Accepted retryDelivery(UUID clientId, UUID deliveryId) {
        if (!log.retry(clientId, deliveryId)) {
            log.find(clientId, deliveryId).orElseThrow(() -> new DeliveryNotFound(deliveryId));
            throw new DeliveryStillPending(deliveryId);
        }
        notifications.deliveriesBecameDue(List.of(clientId));
        return new DeliveryView.Accepted(deliveryId);
    }

    /** Sends a sample document to the client's current webhook, through the normal delivery path. */
    DeliveryView.Accepted sendTestDelivery(UUID clientId) {
        return new DeliveryView.Accepted(intake.recordTestEvent(clientId, sampleDocument())
                .orElseThrow(WebhookService::noWebhook)
                .deliveryId());
    }

    private ObjectNode sampleDocument() {
        String now = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS).toString();
        ObjectNode document = json.createObjectNode();
        document.put("id", "test-" + UUID.randomUUID());
        document.put("externalId", "webhook-test");
        document.put("type", 24);
        document.putObject("data").put("sample", true);
        document.putNull("processTime");
        document.put("status", 1);
        document.put("statusDesc", "FINISHED");
        document.put("createdAt", now);
        document.put("updatedAt", now);
        return document;
    }
}
