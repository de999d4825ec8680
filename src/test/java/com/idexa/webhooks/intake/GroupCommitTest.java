package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Single events that arrive while a transaction is being written are recorded together in the next one, and each
 * request is still answered as it would have been alone. To make "arrive together" certain rather than likely, the
 * test holds a client's row locked from a connection of its own: the writer's transaction waits for it (a queue row
 * checks its client's key) while the other events queue up behind it.
 */
class GroupCommitTest extends DeliveryTestSupport {

    @Autowired
    GroupCommit groupCommit;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry registry;

    private final TestReceiver receiver = TestReceiver.start();
    private final ExecutorService senders = Executors.newFixedThreadPool(32);

    @AfterEach
    void stop() {
        senders.shutdownNow();
        receiver.close();
    }

    @Test
    void singleEventsThatArriveTogetherShareOneTransaction() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        List<CompletableFuture<TestHttp.Response>> together = new ArrayList<>();
        try (Held holder = holdClient(client)) {
            CompletableFuture<TestHttp.Response> held = send(() -> report(client, "held"));
            awaitBlockedBy(holder, 1);
            for (int i = 0; i < 20; i++) {
                String eventId = "together-" + i;
                together.add(send(() -> report(client, eventId)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 20);
            holder.close(); // lets the held event's transaction commit; the twenty are written next
            assertThat(held.get().status()).isEqualTo(202);
        }
        for (CompletableFuture<TestHttp.Response> response : together) {
            assertThat(response.get().status()).as(response.get().body()).isEqualTo(202);
            assertThat(response.get().json().get("deliveryId").isString()).isTrue();
        }
        assertThat(jdbc.sql(
                                "SELECT count(DISTINCT xmin::text) FROM events WHERE client_id = ? AND event_key LIKE 'together-%'")
                        .param(client.clientId())
                        .query(Long.class)
                        .single())
                .as("transactions that wrote the twenty events (their deliveries are written in the same one)")
                .isOne();
    }

    @Test
    void anEventRefusedForItselfLeavesTheOthersInItsGroupRecorded() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        assertThat(reportDocument(client, "used", "{\"id\": \"first\"}").status())
                .isEqualTo(202);
        CompletableFuture<TestHttp.Response> reused;
        CompletableFuture<TestHttp.Response> unknownClient;
        CompletableFuture<TestHttp.Response> malformed;
        List<CompletableFuture<TestHttp.Response>> valid = new ArrayList<>();
        try (Held holder = holdClient(client)) {
            CompletableFuture<TestHttp.Response> held = send(() -> report(client, "held"));
            awaitBlockedBy(holder, 1);
            reused = send(() -> reportDocument(client, "used", "{\"id\": \"second\"}"));
            unknownClient = send(() -> http().bearer(INTERNAL_TOKEN)
                    .post(
                            "/internal/document_events",
                            "{\"clientId\": \"" + UUID.randomUUID()
                                    + "\", \"type\": 0, \"document\": {\"id\": \"x\"}}"));
            malformed = send(() -> reportDocument(client, "bad", "{\"status\": 1}"));
            for (int i = 0; i < 5; i++) {
                String eventId = "valid-" + i;
                valid.add(send(() -> report(client, eventId)));
            }
            assertThat(malformed.get().status())
                    .as("refused before it joins a group")
                    .isEqualTo(400);
            TestHttp.assertRefusedField(malformed.get(), "document.id");
            await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 7);
            holder.close();
            assertThat(held.get().status()).isEqualTo(202);
        }

        assertThat(reused.get().status()).as(reused.get().body()).isEqualTo(409);
        assertThat(reused.get().json().get("errors").get(0).get("field").asString())
                .as("named as in a single call, not as events[i].eventId")
                .isEqualTo("eventId");
        assertThat(unknownClient.get().status()).as(unknownClient.get().body()).isEqualTo(404);
        for (CompletableFuture<TestHttp.Response> response : valid) {
            assertThat(response.get().status()).as(response.get().body()).isEqualTo(202);
        }
        assertThat(jdbc.sql("SELECT event_key FROM events WHERE client_id = ? ORDER BY event_key")
                        .param(client.clientId())
                        .query(String.class)
                        .list())
                .containsExactly("held", "used", "valid-0", "valid-1", "valid-2", "valid-3", "valid-4");
        assertThat(jdbc.sql("SELECT document->>'id' FROM events WHERE client_id = ? AND event_key = 'used'")
                        .param(client.clientId())
                        .query(String.class)
                        .single())
                .isEqualTo("first");
    }

    @Test
    void oneEventIdTwiceInAGroupIsAReplayWithItsDocumentAndAConflictWithAnother() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        CompletableFuture<TestHttp.Response> first;
        CompletableFuture<TestHttp.Response> replay;
        CompletableFuture<TestHttp.Response> other;
        CompletableFuture<TestHttp.Response> conflict;
        try (Held holder = holdClient(client)) {
            CompletableFuture<TestHttp.Response> held = send(() -> report(client, "held"));
            awaitBlockedBy(holder, 1);
            first = send(() -> reportDocument(client, "twice", "{\"id\": \"a\", \"n\": 1}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 1);
            replay = send(() -> reportDocument(client, "twice", "{\"n\": 1.0, \"id\": \"a\"}"));
            other = send(() -> reportDocument(client, "other", "{\"id\": \"b\"}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 3);
            conflict = send(() -> reportDocument(client, "other", "{\"id\": \"c\"}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 4);
            holder.close();
            assertThat(held.get().status()).isEqualTo(202);
        }

        assertThat(first.get().status()).as(first.get().body()).isEqualTo(202);
        assertThat(replay.get().json())
                .as("the first answer")
                .isEqualTo(first.get().json());
        assertThat(other.get().status()).as(other.get().body()).isEqualTo(202);
        assertThat(conflict.get().status()).as("the later of the two").isEqualTo(409);
        assertThat(conflict.get().json().get("errors").get(0).get("field").asString())
                .isEqualTo("eventId");
        assertThat(jdbc.sql("SELECT document->>'id' FROM events WHERE client_id = ? ORDER BY event_key")
                        .param(client.clientId())
                        .query(String.class)
                        .list())
                .containsExactly("held", "b", "a");
    }

    @Test
    void anEventWhoseKeyAnotherTransactionIsRecordingWaitsAloneWhileItsGroupIsCommitted() throws Exception {
        ClientService.IssuedKey blocker = newClient();
        registerWebhook(blocker, simpleWebhook("POST", receiver.url("/cb/:id")));
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        CompletableFuture<TestHttp.Response> busy;
        List<CompletableFuture<TestHttp.Response>> free = new ArrayList<>();
        try (Held key = holdKey(client, "busy")) { // as a batch recording the same eventId would hold it
            try (Held holder = holdClient(blocker)) {
                CompletableFuture<TestHttp.Response> held = send(() -> report(blocker, "held"));
                awaitBlockedBy(holder, 1);
                busy = send(() -> report(client, "busy"));
                for (int i = 0; i < 3; i++) {
                    String eventId = "free-" + i;
                    free.add(send(() -> report(client, eventId)));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> groupCommit.waiting() == 4);
                holder.close();
                assertThat(held.get().status()).isEqualTo(202);
            }
            for (CompletableFuture<TestHttp.Response> response : free) {
                assertThat(response.get(30, TimeUnit.SECONDS).status())
                        .as("answered while the other key is still held")
                        .isEqualTo(202);
            }
            awaitBlockedBy(key, 1); // the busy event, on its own request's thread, waits for its key as before
            assertThat(busy.isDone()).isFalse();
        }
        assertThat(busy.get().status()).as(busy.get().body()).isEqualTo(202);
        assertThat(jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                        .param(client.clientId())
                        .query(Long.class)
                        .single())
                .isEqualTo(4);
    }

    @Test
    void aDocumentLargerThanAGroupMayCarryIsRecordedByItsOwnRequest() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        long groupsBefore = registry.get("webhook.intake.group.size").summary().count();

        TestHttp.Response response = reportDocument(
                client, "large", "{\"id\": \"large\", \"text\": \"" + "x".repeat(GroupCommit.MAX_GROUP_CHARS) + "\"}");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(registry.get("webhook.intake.group.size").summary().count())
                .as("groups recorded")
                .isEqualTo(groupsBefore);
        assertThat(jdbc.sql("SELECT length(document::text) FROM events WHERE client_id = ?")
                        .param(client.clientId())
                        .query(Integer.class)
                        .single())
                .isGreaterThan(GroupCommit.MAX_GROUP_CHARS);
    }

    @Test
    void aMalformedEventOfAnUnknownClientIsStillA404() {
        TestHttp.Response response = http().bearer(INTERNAL_TOKEN)
                .post(
                        "/internal/document_events",
                        "{\"clientId\": \"" + UUID.randomUUID() + "\", \"type\": 0, \"document\": {\"status\": 1}}");

        assertThat(response.status()).as(response.body()).isEqualTo(404);
    }

    private TestHttp.Response report(ClientService.IssuedKey client, String eventId) {
        return reportDocument(client, eventId, "{\"id\": \"" + eventId + "\", \"status\": 1}");
    }

    private CompletableFuture<TestHttp.Response> send(Supplier<TestHttp.Response> request) {
        return CompletableFuture.supplyAsync(request, senders);
    }

    /** A transaction of its own holding a lock until it is closed (rolled back: the lock goes with it). */
    private record Held(Connection connection, int pid) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            if (connection.isClosed()) {
                return;
            }
            try (connection) {
                connection.rollback();
            }
        }
    }

    /** Runs {@code lockingQuery} (which selects the session's pid) in a transaction kept open. */
    private Held hold(String lockingQuery, Object... params) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement(lockingQuery)) {
                for (int i = 0; i < params.length; i++) {
                    lock.setObject(i + 1, params[i]);
                }
                try (ResultSet pid = lock.executeQuery()) {
                    pid.next();
                    return new Held(connection, pid.getInt(1));
                }
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** The client's row, locked: the writer's transaction waits for it when it queues the client's delivery. */
    private Held holdClient(ClientService.IssuedKey client) throws SQLException {
        return hold("SELECT pg_backend_pid() FROM clients WHERE id = ? FOR UPDATE", client.clientId());
    }

    /** Intake's lock on one key, taken as intake takes it (a batch recording the same eventId holds it so). */
    private Held holdKey(ClientService.IssuedKey client, String eventId) throws SQLException {
        return hold(
                "SELECT pg_backend_pid(), pg_advisory_xact_lock(hashtextextended(?::text || '/' || ?, 0))",
                client.clientId(),
                eventId);
    }

    /** Until {@code count} transactions wait for what {@code held} holds. */
    private void awaitBlockedBy(Held held, int count) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))")
                                .param(held.pid())
                                .query(Long.class)
                                .single()
                        == count);
    }
}
