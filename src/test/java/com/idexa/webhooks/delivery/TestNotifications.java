package com.idexa.webhooks.delivery;

import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A {@link DeliveryNotifications} made by hand, for tests of other packages that drive intake without Spring. */
public final class TestNotifications {

    private TestNotifications() {}

    /** Notifications on {@code database}, not started (nobody listens; notifying still works). */
    public static DeliveryNotifications on(DataSource database) {
        return new DeliveryNotifications(database, JdbcClient.create(database));
    }
}
