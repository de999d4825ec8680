package com.idexa.webhooks.delivery;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
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
 *
 * <p>A notification names the clients whose deliveries became due (its payload: their ids, comma-separated; empty
 * when there are more than {@link #MOST_CLIENTS_NAMED}), so a dispatcher can claim for those clients only
 * (see {@link Dispatcher}).
 */
@Component
public class DeliveryNotifications implements SmartLifecycle {

    static final String CHANNEL = "webhook_deliveries";
    /**
     * 37 bytes a client: 200 stay below PostgreSQL's 8,000-byte payload limit. (A dispatcher's own bound,
     * {@link DeliverySignal#MOST_CLIENTS}, is on the news it gathers from many signals before a claim.)
     */
    static final int MOST_CLIENTS_NAMED = 200;

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

    /**
     * Call inside the transaction that made deliveries of these clients due: everyone is told once it commits.
     */
    public void deliveriesBecameDue(Collection<UUID> clients) {
        Set<UUID> named = Set.copyOf(clients);
        String payload = named.size() > MOST_CLIENTS_NAMED
                ? ""
                : named.stream().map(UUID::toString).collect(Collectors.joining(","));
        jdbc.sql("SELECT pg_notify('" + CHANNEL + "', ?)")
                .param(payload)
                .query(Object.class)
                .single();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    signalLocal(named);
                }
            });
        } else {
            signalLocal(named);
        }
    }

    private void signalLocal(Set<UUID> clients) {
        if (clients.isEmpty()) { // as other instances read an empty payload
            signalLocal();
        } else {
            listeners.forEach(signal -> signal.signal(clients));
        }
    }

    private void signalLocal() {
        listeners.forEach(DeliverySignal::signal);
    }

    /** The clients a notification names; null when it names none (anything may have changed), or is not ours. */
    static Set<UUID> clientsNamed(String payload) {
        if (payload == null || payload.isEmpty()) {
            return null;
        }
        List<UUID> clients = new ArrayList<>();
        for (String id : payload.split(",", -1)) {
            try {
                clients.add(UUID.fromString(id));
            } catch (IllegalArgumentException notAnId) {
                return null;
            }
        }
        return Set.copyOf(clients);
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
                signalLocal(); // what was notified while not listening is lost: anything may have changed
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(500);
                    for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                        Set<UUID> clients = clientsNamed(notification.getParameter());
                        if (clients == null) {
                            signalLocal();
                        } else {
                            signalLocal(clients);
                        }
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
