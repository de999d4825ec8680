package com.idexa.webhooks.delivery;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells dispatchers that deliveries became due, so a new event's first attempt starts within milliseconds
 * rather than at the next poll. In this process the signal is direct, after the transaction commits; other
 * instances hear it through PostgreSQL {@code LISTEN/NOTIFY} (a notification is delivered only on commit).
 * Polling stays as the safety net: a lost notification delays work by one poll interval at most.
 */
@Component
public class DeliveryNotifications implements SmartLifecycle {

    static final String CHANNEL = "webhook_deliveries";
    private static final Logger log = LoggerFactory.getLogger(DeliveryNotifications.class);

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final List<DeliverySignal> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread listenerThread;

    DeliveryNotifications(DataSource dataSource, JdbcClient jdbc) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
    }

    void subscribe(DeliverySignal signal) {
        listeners.add(signal);
    }

    void unsubscribe(DeliverySignal signal) {
        listeners.remove(signal);
    }

    /** Call inside the transaction that made deliveries due: everyone is told once it commits. */
    public void deliveriesBecameDue() {
        jdbc.sql("SELECT pg_notify('" + CHANNEL + "', '')").query(Object.class).single();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    signalLocal();
                }
            });
        } else {
            signalLocal();
        }
    }

    private void signalLocal() {
        listeners.forEach(DeliverySignal::signal);
    }

    @Override
    public void start() {
        running = true;
        listenerThread = new Thread(this::listen, "delivery-notifications");
        listenerThread.setDaemon(true);
        listenerThread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (listenerThread != null) {
            listenerThread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        long backoffMillis = 500;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection postgres = connection.unwrap(PGConnection.class);
                backoffMillis = 500;
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(500);
                    if (notifications != null && notifications.length > 0) {
                        signalLocal();
                    }
                }
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                log.warn(
                        "Lost the LISTEN connection ({}); polling covers the gap, reconnecting in {} ms",
                        e.getClass().getSimpleName(),
                        backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(backoffMillis * 2, 30_000);
            }
        }
    }
}
