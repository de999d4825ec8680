package com.idexa.webhooks.delivery;

import com.idexa.webhooks.config.WebhooksProperties;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The dispatcher's own few connections, beside the application's pool: claims, outcomes and lease renewals never
 * wait behind API and intake requests for a connection. They did: with requests holding all of the application's
 * connections, the heartbeat could not renew leases, attempts outlived them, and nothing was delivered until the
 * requests eased (DispatcherOwnConnectionsTest; a profiled benchmark run of single-event intake).
 *
 * <p>The pool is a copy of the application's Hikari settings (URL, credentials, timeouts, driver properties) with
 * its own name ({@code dispatcher}, in the {@code hikaricp_*} metrics) and {@code webhooks.delivery.database-connections}
 * connections (its minimum idle is the application's, at most that); it connects on first use, as the application's
 * does. Four cover its users at once: the claim loop, the outcome recorder, the heartbeat and the queue gauges. A
 * webhook missing from the dispatcher's cache is still read through the application's pool, and so is LISTEN. An
 * application whose data source is not a Hikari pool shares it, as before.
 */
@Component
class DispatcherDatabase implements DisposableBean {

    private final DataSource dataSource;
    private final HikariDataSource ownPool;

    DispatcherDatabase(DataSource application, WebhooksProperties properties, MeterRegistry registry)
            throws SQLException {
        if (application.isWrapperFor(HikariDataSource.class)) {
            ownPool = new HikariDataSource();
            application.unwrap(HikariDataSource.class).copyStateTo(ownPool);
            ownPool.setPoolName("dispatcher");
            ownPool.setMaximumPoolSize(properties.delivery().databaseConnections());
            ownPool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry)); // Boot binds beans only
            dataSource = ownPool;
        } else {
            ownPool = null;
            dataSource = application;
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void destroy() {
        if (ownPool != null) {
            ownPool.close();
        }
    }
}
