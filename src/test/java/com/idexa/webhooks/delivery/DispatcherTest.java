package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.config.WebhooksProperties;
import com.idexa.webhooks.outbound.HostResolver;
import com.idexa.webhooks.outbound.NetworkPolicy;
import com.idexa.webhooks.outbound.OutboundHttpClient;
import com.idexa.webhooks.outbound.TokenProvider;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import com.idexa.webhooks.support.TestReceiver.Reply;
import com.idexa.webhooks.webhook.WebhookService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dispatcher's promises that need more than one dispatcher, or a dispatcher set up differently: leases
 * survive a crash, two instances never send one delivery at once, one dead endpoint cannot starve the rest,
 * new work wakes it without polling, and the network policy holds at connect time.
 */
class DispatcherTest extends DeliveryTestSupport {

    @Autowired
    Dispatcher dispatcher;

    @Autowired
    DeliveryQueue queue;

    @Autowired
    DeliverySender sender;

    @Autowired
    WebhookService webhooks;

    @Autowired
    DeliveryNotifications notifications;

    @Autowired
    DeliveryMetrics metrics;

    @Autowired
    WebhooksProperties properties;

    @Autowired
    Clock clock;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    JsonMapper json;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    DefaultListableBeanFactory beans;

    @Autowired
    MeterRegistry meters;

    private final TestReceiver receiver = TestReceiver.start();
    private final List<Dispatcher> extraDispatchers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        extraDispatchers.forEach(Dispatcher::stop);
        receiver.close();
        dispatcher.start();
    }

    @Test
    void aCrashedWorkersDeliveryIsSentOnceItsLeaseRunsOut() {
        dispatcher.stop();
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "after-crash");
        List<ClaimedDelivery> crashed = queue.claim(10, 10, Map.of(), Duration.ofSeconds(2), UUID.randomUUID());
        assertThat(crashed).extracting(ClaimedDelivery::id).contains(UUID.fromString(deliveryId));
        Instant leaseEnds = jdbc.sql("SELECT leased_until FROM delivery_queue WHERE id = ?")
                .param(UUID.fromString(deliveryId))
                .query(OffsetDateTime.class)
                .single()
                .toInstant();

        dispatcher.start(); // the claiming worker "crashed": it never records an outcome

        JsonNode delivered = awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().get(0).at()).isAfterOrEqualTo(leaseEnds.minusMillis(50));
        assertThat(delivered.get("attemptCount").asInt()).isEqualTo(1);
    }

    @Test
    void twoDispatchersNeverSendOneDeliveryTwice() {
        Dispatcher second = startDispatcher(delivery -> delivery, sender);
        List<ClientService.IssuedKey> clientsUsed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ClientService.IssuedKey client = newClient();
            registerWebhook(client, simpleWebhook("POST", receiver.url("/c" + i + "/:id")));
            clientsUsed.add(client);
        }
        Set<String> deliveryIds = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            deliveryIds.add(deliver(clientsUsed.get(i % 4), "doc-" + i));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() >= 200);
        for (ClientService.IssuedKey client : clientsUsed) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> http().apiKey(client.apiKey())
                                    .get("/document_webhooks/deliveries?status=SUCCEEDED&limit=100")
                                    .json()
                                    .get("items")
                                    .size()
                            == 50);
        }

        List<String> received = receiver.received().stream()
                .map(request -> request.header("webhook-id"))
                .toList();
        assertThat(received).hasSize(200).doesNotHaveDuplicates();
        assertThat(new HashSet<>(received)).isEqualTo(deliveryIds);
        assertThat(receiver.maxConcurrentForOneWebhookId()).isEqualTo(1);
        assertThat(second.deliveriesStarted())
                .as("the second dispatcher did take part")
                .isPositive();
        assertThat(dispatcher.deliveriesStarted()).isPositive();
    }

    @Test
    void aDeadEndpointDoesNotDelayOtherClients() {
        dispatcher.stop();
        CountDownLatch release = new CountDownLatch(1);
        try (TestReceiver dead = TestReceiver.start().byDefault(request -> Reply.hangUntil(release))) {
            // 4 workers in all, 2 per client; attempts wait up to 30 s for the dead endpoint.
            Dispatcher fair = startDispatcher(delivery -> withCaps(delivery, 4, 2), senderWith(patientClient()));
            ClientService.IssuedKey slow = newClient();
            registerWebhook(slow, simpleWebhook("POST", dead.url("/dead/:id")));
            ClientService.IssuedKey fast = newClient();
            registerWebhook(fast, simpleWebhook("POST", receiver.url("/fast/:id")));
            List<String> slowDeliveries = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                slowDeliveries.add(deliver(slow, "slow-" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dead.received().size() == 2);
            List<String> fastDeliveries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fastDeliveries.add(deliver(fast, "fast-" + i));
            }

            fastDeliveries.forEach(id -> awaitStatus(fast, id, "SUCCEEDED"));

            assertThat(dead.received())
                    .as("the dead endpoint holds no more than its share of workers")
                    .hasSize(2);
            assertThat(slowDeliveries)
                    .allSatisfy(id -> assertThat(
                                    delivery(slow, id).get("attemptCount").asInt())
                            .isZero());
            assertThat(fair.deliveriesStarted()).isEqualTo(22);
        } finally {
            release.countDown();
        }
    }

    @Test
    void attemptsStuckOnDeadEndpointsDoNotHoldBackTheFreeWorkers() {
        dispatcher.stop();
        CountDownLatch release = new CountDownLatch(1);
        try (TestReceiver dead = TestReceiver.start().byDefault(request -> Reply.hangUntil(release))) {
            // 12 workers, 2 per client, and a poll so long that only signals and the claim batching move work.
            startDispatcher(
                    delivery -> withPollInterval(withCaps(delivery, 12, 2), Duration.ofMinutes(10)),
                    senderWith(patientClient()));
            for (int i = 0; i < 5; i++) {
                ClientService.IssuedKey slow = newClient();
                registerWebhook(slow, simpleWebhook("POST", dead.url("/dead" + i + "/:id")));
                deliver(slow, "stuck-" + i + "-a");
                deliver(slow, "stuck-" + i + "-b");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dead.received().size() == 10);
            ClientService.IssuedKey fast = newClient();
            registerWebhook(fast, simpleWebhook("POST", receiver.url("/fast/:id")));
            StringBuilder batch = new StringBuilder("{\"events\": [");
            for (int i = 0; i < 10; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append("{\"clientId\": \"")
                        .append(fast.clientId())
                        .append("\", \"type\": 0, \"document\": {\"id\": \"fast-")
                        .append(i)
                        .append("\"}}");
            }
            var accepted = http().bearer(INTERNAL_TOKEN).post("/internal/document_events/batch", batch + "]}");
            assertThat(accepted.status()).isEqualTo(202);

            // 10 of 12 workers are stuck for 30 s; the 2 left must keep working through all 10 deliveries.
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.received("/fast/").size() == 10);
        } finally {
            release.countDown();
        }
    }

    @Test
    void newWorkWakesTheDispatcherWithoutWaitingForThePoll() {
        dispatcher.stop();
        startDispatcher(delivery -> withPollInterval(delivery, Duration.ofMinutes(10)), sender);
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));

        String deliveryId = deliver(client, "prompt");

        awaitStatus(client, deliveryId, "SUCCEEDED"); // at most 20 s, far below the 10 min poll
    }

    /**
     * Claims made for news look at the clients named (CLAIMS_FOR_NEWS); a delivery nobody signalled (a retry falling
     * due, a lease running out, another instance's) is found by the walk over every client that still comes once a
     * poll interval, however much news keeps arriving for others.
     */
    @Test
    void aDeliveryNobodySignalledIsFoundWhileAnotherClientsNewsKeepsComing() {
        dispatcher.stop(); // one whose poll interval is longer than the gaps between the busy client's events
        startDispatcher(delivery -> withPollInterval(delivery, Duration.ofSeconds(1)), sender);
        ClientService.IssuedKey busy = newClient();
        ClientService.IssuedKey quiet = newClient();
        registerWebhook(busy, simpleWebhook("POST", receiver.url("/busy/:id")));
        registerWebhook(quiet, simpleWebhook("POST", receiver.url("/quiet/:id")));
        double forNewsBefore = claims("news");
        QueueSeeds.due(jdbc, quiet.clientId(), 1); // straight into the tables: no notification
        String seeded = jdbc.sql("SELECT id FROM delivery_queue WHERE client_id = ?")
                .param(quiet.clientId())
                .query(String.class)
                .single();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0;
                !"SUCCEEDED".equals(delivery(quiet, seeded).get("status").asString()) && System.nanoTime() < deadline;
                i++) {
            assertThat(reportDocument(busy, "news-" + i, "{\"id\": \"n" + i + "\"}")
                            .status())
                    .isEqualTo(202);
        }

        assertThat(delivery(quiet, seeded).get("status").asString())
                .as("the quiet client's delivery, while the busy client's events kept coming")
                .isEqualTo("SUCCEEDED");
        assertThat(claims("news") - forNewsBefore)
                .as("claims made for the busy client's news alone")
                .isPositive();
    }

    /**
     * A client waiting for its throttle's tokens has no news when they come back: claims made for others' news look
     * at it too (CLAIMS_FOR_NEWS), or its backlog would wait for the walk over every client (here ten minutes away).
     */
    @Test
    void aThrottledClientsBacklogKeepsGoingWhileAnotherClientsNewsKeepsComing() {
        dispatcher.stop();
        Dispatcher patient = startDispatcher(delivery -> withPollInterval(delivery, Duration.ofMinutes(10)), sender);
        ClientService.IssuedKey throttled = newClient();
        ClientService.IssuedKey busy = newClient();
        String webhookId = registerWebhook(throttled, simpleWebhook("POST", receiver.url("/throttled/:id")));
        registerWebhook(busy, simpleWebhook("POST", receiver.url("/busy/:id")));
        TestHttp.Response throttle = http().apiKey(throttled.apiKey())
                .send(
                        "PUT",
                        "/document_webhooks/" + webhookId + "/delivery_settings",
                        "{\"maxPerSecond\": 5}",
                        "application/json");
        assertThat(throttle.status()).as(throttle.body()).isEqualTo(200);
        patient.deliverySettingsChanged(); // as the API tells its own instance's dispatcher
        String[] backlog = new String[10];
        for (int i = 0; i < backlog.length; i++) {
            backlog[i] = batchEvent(throttled, "t" + i, "{\"id\": \"t" + i + "\"}");
        }
        assertThat(reportBatch(backlog).status()).isEqualTo(202);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int i = 0; throttledReceived() < backlog.length && System.nanoTime() < deadline; i++) {
            assertThat(reportDocument(busy, "b" + i, "{\"id\": \"b" + i + "\"}").status())
                    .isEqualTo(202);
        }

        assertThat(throttledReceived())
                .as("the throttled client's ten, at five a second, while the busy client's events kept coming")
                .isEqualTo(backlog.length);
        List<Instant> arrivals = receiver.received().stream()
                .filter(received -> received.path().startsWith("/throttled/"))
                .map(TestReceiver.Received::at)
                .sorted()
                .toList();
        assertThat(Duration.between(arrivals.get(0), arrivals.get(arrivals.size() - 1)))
                .as("the throttle held: ten at five a second take more than a second")
                .isGreaterThan(Duration.ofSeconds(1));
    }

    private long throttledReceived() {
        return receiver.received().stream()
                .filter(received -> received.path().startsWith("/throttled/"))
                .count();
    }

    private double claims(String clients) {
        var counter =
                meters.find("webhook.delivery.claims").tag("clients", clients).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void otherInstancesHearNewWorkThroughPostgresNotifications() throws Exception {
        DeliveryNotifications otherInstance = new DeliveryNotifications(dataSource, jdbc);
        DeliverySignal signal = new DeliverySignal();
        otherInstance.subscribe(signal);
        otherInstance.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                jdbc.sql("SELECT pg_notify('" + DeliveryNotifications.CHANNEL + "', '')")
                        .query(Object.class)
                        .single();
                return signal.await(Duration.ofMillis(200));
            });
            assertThat(signal.takeNews().anything())
                    .as("a notification naming no client")
                    .isTrue();
            UUID named = UUID.randomUUID();
            TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> { // until one arrives after the anonymous ones above
                                transactions.executeWithoutResult(
                                        transaction -> notifications.deliveriesBecameDue(List.of(named)));
                                return signal.await(Duration.ofMillis(200))
                                        && signal.takeNews().clients().contains(named);
                            });
        } finally {
            otherInstance.stop();
        }
    }

    @Test
    void stoppingAbortsAnAttemptThatOutlivesTheGracePeriodAndRecordsIt() {
        dispatcher.stop();
        CountDownLatch release = new CountDownLatch(1);
        receiver.replies(Reply.hangUntil(release));
        Dispatcher stopping = startDispatcher(delivery -> withCaps(delivery, 4, 4), senderWith(patientClient()));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "interrupted");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);

        stopping.stop();
        extraDispatchers.remove(stopping);

        Map<String, Object> row = jdbc.sql(
                        "SELECT d.status, q.lease_token, q.next_attempt_at <= now() + interval '2 seconds' AS due "
                                + "FROM deliveries d JOIN delivery_queue q ON q.id = d.id WHERE d.id = ?")
                .param(UUID.fromString(deliveryId))
                .query()
                .singleRow();
        assertThat(row.get("status")).isEqualTo("PENDING");
        assertThat(row.get("lease_token")).isNull();
        assertThat(row.get("due")).isEqualTo(true);
        JsonNode interrupted = delivery(client, deliveryId);
        assertThat(interrupted.get("attemptCount").asInt()).isEqualTo(1);
        assertThat(interrupted.get("attempts").get(0).get("error").asString())
                .isEqualTo("interrupted: this instance shut down before the endpoint answered");
        release.countDown();

        dispatcher.start();
        awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(receiver.received()).hasSizeGreaterThanOrEqualTo(2); // at least once, never lost
    }

    @Test
    void recordsAnAttemptThatFailsInsideTheServiceAndRetriesIt() {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        jdbc.sql("UPDATE webhooks SET secrets = '\\x0100'::bytea WHERE id = ?")
                .param(UUID.fromString(webhookId))
                .update(); // unreadable: opening the webhook throws inside the attempt

        try {
            String deliveryId = deliver(client, "unreadable");

            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            delivery(client, deliveryId).get("attemptCount").asInt() >= 2);
            JsonNode failed = delivery(client, deliveryId);
            assertThat(failed.get("status").asString()).isIn("PENDING", "FAILED");
            assertThat(failed.get("attempts").get(0).get("error").asString())
                    .startsWith("the attempt could not be made: internal error")
                    .doesNotContain("Exception");
            assertThat(receiver.received()).isEmpty();
        } finally {
            // The damaged row must not outlive the test: contexts started later check every stored secret.
            jdbc.sql("DELETE FROM webhooks WHERE id = ?")
                    .param(UUID.fromString(webhookId))
                    .update();
        }
    }

    @Test
    void failsADeliveryClaimedTooOftenWithoutAnyOutcome() {
        dispatcher.stop();
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "crash-loop");
        jdbc.sql("UPDATE delivery_queue SET unrecorded_claims = ? WHERE id = ?")
                .params(DeliveryQueue.MAX_UNRECORDED_CLAIMS, UUID.fromString(deliveryId))
                .update();

        // a limit high enough that due rows other tests left behind cannot crowd this one out
        List<ClaimedDelivery> claimed = queue.claim(10_000, 10, Map.of(), Duration.ofSeconds(30), UUID.randomUUID());

        assertThat(claimed)
                .filteredOn(delivery -> delivery.id().equals(UUID.fromString(deliveryId)))
                .extracting(ClaimedDelivery::status)
                .containsExactly(DeliveryStatus.FAILED);
        JsonNode failed = delivery(client, deliveryId);
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("lastError").asString()).startsWith("gave up: claimed 5 times");
        assertThat(failed.get("nextAttemptAt").isNull()).isTrue();
    }

    @Test
    void aHeartbeatKeepsAnAttemptLongerThanItsLeaseFromBeingTakenOver() {
        dispatcher.stop();
        CountDownLatch release = new CountDownLatch(1);
        receiver.byDefault(request -> Reply.hangUntil(release));
        UnaryOperator<WebhooksProperties.Delivery> shortLease =
                d -> withLease(d, Duration.ofMillis(1500), Duration.ofMillis(300));
        startDispatcher(shortLease, senderWith(patientClient()));
        startDispatcher(shortLease, senderWith(patientClient()));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "slow");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
        OffsetDateTime firstLeaseEnd = jdbc.sql("SELECT now() + interval '1500 milliseconds'")
                .query(OffsetDateTime.class)
                .single();

        // Well past the first lease: without renewals the other dispatcher would have taken the delivery over.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.sql("SELECT now() > ? + interval '1500 milliseconds'")
                        .param(firstLeaseEnd)
                        .query(Boolean.class)
                        .single());
        release.countDown();

        awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(receiver.received()).hasSize(1);
        assertThat(delivery(client, deliveryId).get("attemptCount").asInt()).isEqualTo(1);
    }

    @Test
    void aKilledInstancesDeliveryIsSentAgainWhenItsShortLeaseRunsOut() {
        dispatcher.stop();
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "killed");
        Duration lease = properties.delivery().lease(); // as configured, not a lease of the test's own
        // The killed instance claimed it and died: no heartbeat, no outcome, no release.
        queue.claim(10, 10, Map.of(), lease, UUID.randomUUID());
        Instant leaseEnds = jdbc.sql("SELECT leased_until FROM delivery_queue WHERE id = ?")
                .param(UUID.fromString(deliveryId))
                .query(OffsetDateTime.class)
                .single()
                .toInstant();

        dispatcher.start();

        awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().get(0).at())
                .isAfterOrEqualTo(leaseEnds.minusMillis(50))
                .isBefore(leaseEnds.plus(properties.delivery().pollInterval()).plusSeconds(5));
    }

    @Test
    void theNetworkPolicyHoldsAtConnectTime() {
        dispatcher.stop();
        OutboundHttpClient strict = new OutboundHttpClient(
                new NetworkPolicy(false, HostResolver.SYSTEM), Duration.ofSeconds(1), Duration.ofSeconds(2), 10);
        startDispatcher(delivery -> delivery, senderWith(strict));
        ClientService.IssuedKey direct = newClient();
        registerWebhook(direct, simpleWebhook("POST", receiver.url("/cb/:id")));
        ClientService.IssuedKey viaToken = newClient();
        registerWebhook(viaToken, """
                {"name": "n", "type": 0, "method": "POST", "url": "https://hooks.client.invalid/:id",
                 "authorizationUrl": "%s"}""".formatted(receiver.url("/login")));

        String directId = deliver(direct, "blocked");
        String tokenId = deliver(viaToken, "blocked-token");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(delivery(direct, directId).get("attemptCount").asInt()).isPositive();
            assertThat(delivery(viaToken, tokenId).get("attemptCount").asInt()).isPositive();
        });
        assertThat(delivery(direct, directId)
                        .get("attempts")
                        .get(0)
                        .get("error")
                        .asString())
                .isEqualTo(
                        "blocked by the network policy: host is not allowed: it is a loopback, private or reserved address");
        assertThat(delivery(viaToken, tokenId)
                        .get("attempts")
                        .get(0)
                        .get("error")
                        .asString())
                .startsWith("token fetch failed: token endpoint blocked by the network policy");
        assertThat(receiver.received()).isEmpty();
    }

    private Dispatcher startDispatcher(UnaryOperator<WebhooksProperties.Delivery> settings, DeliverySender withSender) {
        WebhooksProperties custom = new WebhooksProperties(
                properties.adminToken(),
                properties.internalToken(),
                properties.encryptionKey(),
                properties.previousEncryptionKeys(),
                properties.api(),
                properties.outbound(),
                settings.apply(properties.delivery()),
                properties.signing(),
                properties.endpoint(),
                properties.operator());
        Dispatcher extra = new Dispatcher(queue, withSender, webhooks, notifications, metrics, custom, clock, events);
        extra.start();
        extraDispatchers.add(extra);
        return extra;
    }

    /** Waits up to 30 s for an answer, so a held request stays in flight until the test releases it. */
    private static OutboundHttpClient patientClient() {
        return new OutboundHttpClient(
                new NetworkPolicy(true, HostResolver.SYSTEM), Duration.ofSeconds(1), Duration.ofSeconds(30), 20);
    }

    private DeliverySender senderWith(OutboundHttpClient http) {
        return new DeliverySender(
                http,
                new TokenProvider(http, json, clock, properties),
                properties,
                beans.getBeanProvider(BuildProperties.class));
    }

    private static WebhooksProperties.Delivery withCaps(WebhooksProperties.Delivery d, int total, int perClient) {
        return delivery(d, Duration.ofMinutes(5), d.heartbeatInterval(), d.pollInterval(), total, perClient);
    }

    private static WebhooksProperties.Delivery withPollInterval(WebhooksProperties.Delivery d, Duration poll) {
        return delivery(d, d.lease(), d.heartbeatInterval(), poll, d.maxInFlight(), d.maxInFlightPerClient());
    }

    private static WebhooksProperties.Delivery withLease(
            WebhooksProperties.Delivery d, Duration lease, Duration heartbeat) {
        return delivery(d, lease, heartbeat, d.pollInterval(), d.maxInFlight(), d.maxInFlightPerClient());
    }

    private static WebhooksProperties.Delivery delivery(
            WebhooksProperties.Delivery d,
            Duration lease,
            Duration heartbeat,
            Duration poll,
            int total,
            int perClient) {
        return new WebhooksProperties.Delivery(
                d.enabled(),
                d.retryDelays(),
                d.jitter(),
                d.retryAfterCap(),
                lease,
                heartbeat,
                poll,
                d.claimBatchSize(),
                total,
                perClient,
                d.tripAfter(),
                d.slowAfter(),
                d.probeShare(),
                d.tokenExpiryMargin(),
                d.retention(),
                d.purgeInterval(),
                d.shutdownGrace(),
                d.databaseConnections());
    }
}
