package com.idexa.webhooks.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.delivery.Dispatcher;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Finished history older than the retention goes, by the database's clock; nothing pending or recent does. */
class DeliveryPurgerTest extends DeliveryTestSupport {

    @Autowired
    DeliveryPurger purger;

    @Autowired
    Dispatcher dispatcher;

    @Autowired
    JdbcClient jdbc;

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void cleanUp() {
        receiver.close();
        dispatcher.start();
    }

    @Test
    void purgesFinishedDeliveriesPastTheRetentionWithTheirEventsAndAttempts() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String old = deliver(client, "old");
        String recent = deliver(client, "recent");
        awaitStatus(client, old, "SUCCEEDED");
        awaitStatus(client, recent, "SUCCEEDED");
        dispatcher.stop();
        String pending = deliver(client, "pending");
        jdbc.sql("UPDATE deliveries SET finished_at = now() - interval '31 days' WHERE id = ?")
                .param(UUID.fromString(old))
                .update();
        jdbc.sql("UPDATE events SET created_at = now() - interval '31 days' WHERE id IN "
                        + "(SELECT event_id FROM deliveries WHERE id = ? OR id = ?)")
                .params(UUID.fromString(old), UUID.fromString(pending))
                .update();

        assertThat(purger.purge()).isGreaterThanOrEqualTo(2); // the delivery and its event

        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", old)).isZero();
        assertThat(count("SELECT count(*) FROM delivery_attempts WHERE delivery_id = ?", old))
                .isZero();
        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", recent))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM deliveries WHERE id = ?", pending))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT count(*) FROM events e JOIN deliveries d ON d.event_id = e.id WHERE d.id = ?", pending))
                .as("an old event with a pending delivery stays")
                .isEqualTo(1);
    }

    private long count(String sql, String deliveryId) {
        return jdbc.sql(sql)
                .param(UUID.fromString(deliveryId))
                .query(Long.class)
                .single();
    }
}
