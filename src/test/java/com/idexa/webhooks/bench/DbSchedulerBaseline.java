package com.idexa.webhooks.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The peer: the same job done with db-scheduler 16.7.1, the best-known PostgreSQL-backed scheduler on the JVM, in
 * this JVM, on its own database of the same PostgreSQL. Intake schedules one one-time task per event (its data is
 * the document) in batches; the task POSTs the document to the client's endpoint with a pooled Apache
 * HttpClient 5 and throws on anything but 2xx, and the failure handler retries with exponential backoff, at most
 * 10 times. Configured as db-scheduler's README recommends for throughput: the {@code lock-and-fetch} polling
 * strategy ({@code SELECT ... FOR UPDATE SKIP LOCKED}) at {@code 1.0, 4.0} ("keep threads busy"), 64 threads,
 * immediate execution, and a 1 s polling interval like the service's.
 */
final class DbSchedulerBaseline implements AutoCloseable {

    /** The PostgreSQL table of db-scheduler's own test resources ({@code postgresql_tables.sql}). */
    private static final String TABLE = """
            CREATE TABLE scheduled_tasks (
              task_name text NOT NULL,
              task_instance text NOT NULL,
              task_data bytea,
              execution_time timestamp with time zone,
              picked boolean NOT NULL,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint NOT NULL,
              priority smallint,
              state text,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
            """;

    static final int THREADS = 64;

    private final HikariDataSource dataSource;
    private final CloseableHttpClient http;
    private final OneTimeTask<String> deliver;
    private final Scheduler scheduler;
    private final String endpoint;

    DbSchedulerBaseline(String jdbcUrl, String endpointBase) throws SQLException {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername("postgres");
        pool.setMaximumPoolSize(20); // as the service's pool
        dataSource = new HikariDataSource(pool);
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(TABLE);
        }
        http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(THREADS)
                        .setMaxConnPerRoute(THREADS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5))
                                .setSocketTimeout(Timeout.ofSeconds(15))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.ofSeconds(15))
                        .build())
                .build();
        this.endpoint = endpointBase;
        deliver = Tasks.oneTime("deliver-document", String.class)
                .onFailure(new FailureHandler.MaxRetriesFailureHandler<>(
                        10, new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(5))))
                .execute((instance, context) -> post(instance.getId(), instance.getData()));
        scheduler = Scheduler.create(dataSource, deliver)
                .threads(THREADS)
                .pollUsingLockAndFetch(1.0, 4.0)
                .pollingInterval(Duration.ofSeconds(1))
                .enableImmediateExecution()
                .build();
        scheduler.start();
    }

    private void post(String documentId, String document) {
        HttpPost request = new HttpPost(endpoint + documentId);
        request.setEntity(new StringEntity(document, ContentType.APPLICATION_JSON));
        try {
            int status = http.execute(request, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            if (status / 100 != 2) {
                throw new IllegalStateException("the endpoint answered " + status);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the endpoint could not be reached", e);
        }
    }

    /** Schedules one task per event, due now, in one batch. */
    void intake(List<Load.Event> batch) {
        List<TaskInstance<?>> instances = new ArrayList<>(batch.size());
        for (Load.Event event : batch) {
            instances.add(deliver.instance(event.documentId(), Load.document(event.documentId())));
        }
        scheduler.scheduleBatch(instances, Instant.now());
        scheduler.triggerCheckForDueExecutions();
    }

    @Override
    public void close() throws IOException {
        scheduler.stop();
        http.close();
        dataSource.close();
    }
}
