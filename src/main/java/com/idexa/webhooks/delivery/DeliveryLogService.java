package com.idexa.webhooks.delivery;

import com.idexa.webhooks.web.ApiException;
import com.idexa.webhooks.web.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What a client can see and do with its deliveries: list, inspect, send again, send a test. */
@Service
class DeliveryLogService {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    /** 9999-12-31: cursors come from creation times, and PostgreSQL refuses timestamps far beyond it. */
    private static final long MAX_CURSOR_MICROS = 253_402_300_799_000_000L;

    private final DeliveryLogRepository log;
    private final EventIntakeService intake;
    private final DeliveryNotifications notifications;
    private final JsonMapper json;
    private final Clock clock;

    DeliveryLogService(
            DeliveryLogRepository log,
            EventIntakeService intake,
            DeliveryNotifications notifications,
            JsonMapper json,
            Clock clock) {
        this.log = log;
        this.intake = intake;
        this.notifications = notifications;
        this.json = json;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    DeliveryView.Page listDeliveries(
            UUID clientId, DeliveryStatus status, String documentId, String cursor, Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new InvalidRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        List<DeliveryView.Item> rows = log.list(clientId, status, documentId, decodeCursor(cursor), size + 1);
        if (rows.size() <= size) {
            return new DeliveryView.Page(rows, null);
        }
        List<DeliveryView.Item> page = rows.subList(0, size);
        DeliveryView.Item last = page.get(size - 1);
        return new DeliveryView.Page(page, encodeCursor(last.createdAt(), last.id()));
    }

    @Transactional(readOnly = true)
    DeliveryView.Detail showDelivery(UUID clientId, UUID deliveryId) {
        DeliveryView.Item item = log.find(clientId, deliveryId).orElseThrow(() -> new DeliveryNotFound(deliveryId));
        return new DeliveryView.Detail(item, log.attempts(deliveryId));
    }

    /** Sends a finished delivery again now, with a fresh retry schedule. */
    @Transactional
    DeliveryView.Accepted redeliver(UUID clientId, UUID deliveryId) {
        if (!log.redeliver(clientId, deliveryId)) {
            log.find(clientId, deliveryId).orElseThrow(() -> new DeliveryNotFound(deliveryId));
            throw new DeliveryStillPending(deliveryId);
        }
        notifications.deliveriesBecameDue();
        return new DeliveryView.Accepted(deliveryId);
    }

    /** Sends a sample document to the client's current webhook, through the normal delivery path. */
    DeliveryView.Accepted sendTestDelivery(UUID clientId) {
        return new DeliveryView.Accepted(
                intake.recordTestEvent(clientId, sampleDocument()).deliveryId());
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

    private static String encodeCursor(OffsetDateTime createdAt, UUID id) {
        Instant at = createdAt.toInstant();
        long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
        String raw = micros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static DeliveryLogRepository.Position decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            long micros = Long.parseLong(raw.substring(0, colon));
            if (micros < 0 || micros > MAX_CURSOR_MICROS) {
                throw new IllegalArgumentException("outside the range of creation times");
            }
            Instant at =
                    Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
            return new DeliveryLogRepository.Position(
                    at.atOffset(ZoneOffset.UTC), UUID.fromString(raw.substring(colon + 1)));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new InvalidRequest("cursor", "cursor is not one this API returned");
        }
    }

    static class DeliveryNotFound extends ApiException {
        DeliveryNotFound(UUID id) {
            super(
                    HttpStatus.NOT_FOUND,
                    "Delivery not found",
                    "No delivery with the id " + id + " exists for this client.");
        }
    }

    static class DeliveryStillPending extends ApiException {
        DeliveryStillPending(UUID id) {
            super(
                    HttpStatus.CONFLICT,
                    "Delivery still pending",
                    "Delivery " + id + " is still PENDING: it will be attempted without being asked. "
                            + "Only a SUCCEEDED, FAILED or CANCELLED delivery can be sent again.");
        }
    }
}
