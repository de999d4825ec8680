package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A claim for news (CLAIMS_FOR_NEWS in {@link Dispatcher}) looks at the clients named, not at every client with rows
 * queued. Hung endpoints keep rows queued (one attempt in flight, the rest waiting for room): beside 500 of them,
 * walking them all on every wake-up cost 12 to 14 ms a claim, most of PostgreSQL's time in the benchmark.
 */
class ClaimsForNewsTest {

    private static final int WAITING_CLIENTS = 300;

    @Test
    void aClaimForNewsLooksOnlyAtTheClientsNamedWhileAClaimForAnythingWalksThemAll() {
        SingleConnectionDataSource connection = TestDatabase.migratedConnection("claims_news_", "");
        JdbcClient jdbc = JdbcClient.create(connection);
        List<UUID> waiting = new ArrayList<>();
        for (int i = 0; i < WAITING_CLIENTS; i++) {
            UUID client = UUID.randomUUID();
            waiting.add(client);
            jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'waiting', now())")
                    .param(client)
                    .update();
            QueueSeeds.due(jdbc, client, 2);
        }
        UUID news = UUID.randomUUID();
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, 'news', now())")
                .param(news)
                .update();
        QueueSeeds.due(jdbc, news, 3);
        jdbc.sql("VACUUM ANALYZE").update();
        DeliveryQueue queue = new DeliveryQueue(connection);
        Map<UUID, Integer> noRoomForTheWaiting = new java.util.HashMap<>();
        waiting.forEach(client -> noRoomForTheWaiting.put(client, 0)); // as hung endpoints with an attempt in flight
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(connection));

        long forNews = transactions.execute(transaction -> {
            assertThat(queue.claim(
                            100, 8, noRoomForTheWaiting, Duration.ofSeconds(30), UUID.randomUUID(), Set.of(news)))
                    .hasSize(3)
                    .allMatch(delivery -> delivery.clientId().equals(news));
            return descents(jdbc);
        });
        jdbc.sql("UPDATE delivery_queue SET lease_token = NULL, leased_until = NULL WHERE client_id = ?")
                .param(news)
                .update();
        long forAnything = transactions.execute(transaction -> {
            assertThat(queue.claim(100, 8, noRoomForTheWaiting, Duration.ofSeconds(30), UUID.randomUUID()))
                    .hasSize(3)
                    .allMatch(delivery -> delivery.clientId().equals(news));
            return descents(jdbc);
        });
        connection.destroy();

        assertThat(forNews)
                .as("descents of the queue's client index for a claim naming one client")
                .isLessThan(10);
        assertThat(forAnything)
                .as("the same for a claim walking every client with rows queued")
                .isGreaterThan(WAITING_CLIENTS);
    }

    private static long descents(JdbcClient jdbc) {
        return jdbc.sql("SELECT pg_stat_get_xact_numscans('delivery_queue_client_due'::regclass)")
                .query(Long.class)
                .single();
    }
}
