package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestDatabase;
import com.idexa.webhooks.support.TestReceiver;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The API and intake can hold every pooled connection (a burst of batches, slow requests on a loaded machine); the
 * dispatcher's claims, outcomes and lease renewals must not wait behind them. Measured before: with intake holding
 * all twenty, the dispatcher got no connection for its heartbeats, leases ran out mid-attempt and nothing was
 * delivered until intake eased.
 */
class DispatcherOwnConnectionsTest extends DeliveryTestSupport {

    @Autowired
    DataSource dataSource;

    private final TestReceiver receiver = TestReceiver.start();
    private final List<Connection> held = new ArrayList<>();

    @AfterEach
    void release() throws SQLException {
        for (Connection connection : held) {
            connection.close();
        }
        receiver.close();
    }

    @Test
    void deliveriesGoOutWhileTheApplicationsConnectionsAreAllTaken() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        awaitStatus(client, deliver(client, "first"), "SUCCEEDED"); // its webhook is now in the dispatcher's cache

        takeEveryPooledConnection();
        TestDatabase.Connection database = TestDatabase.get();
        SingleConnectionDataSource outside =
                new SingleConnectionDataSource(database.url(), database.username(), database.password(), true);
        try {
            QueueSeeds.due(JdbcClient.create(outside), client.clientId(), 1); // as intake writes it: /cb/d1
        } finally {
            outside.destroy();
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !receiver.received("/cb/d1").isEmpty());
        assertThat(receiver.received("/cb/d1")).hasSize(1);
    }

    /** Borrows connections from the application's pool until it has none left (its wait ends in an exception). */
    private void takeEveryPooledConnection() {
        while (true) {
            try {
                held.add(dataSource.getConnection());
            } catch (SQLException exhausted) {
                return;
            }
        }
    }
}
