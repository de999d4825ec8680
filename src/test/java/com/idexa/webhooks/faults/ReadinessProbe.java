package com.idexa.webhooks.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks every instance's {@code /actuator/health/readiness} every 250 ms with a 1 s timeout, as a load balancer
 * would, and keeps every answer. The latest answer per instance is what {@link #ready} reports.
 */
final class ReadinessProbe implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(250);
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    enum State {
        UP,
        DOWN,
        OTHER,
        TIMEOUT,
        REFUSED
    }

    record Sample(long at, String instance, State state) {}

    private final HttpClient http;
    private final List<ServiceInstance> instances;
    private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final Map<String, State> latest = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "readiness-probe");
        thread.setDaemon(true);
        return thread;
    });

    ReadinessProbe(HttpClient http, List<ServiceInstance> instances) {
        this.http = http;
        this.instances = instances;
        ticks.scheduleAtFixedRate(this::probe, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean ready(ServiceInstance instance) {
        return latest.getOrDefault(instance.name(), State.REFUSED) == State.UP;
    }

    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    private void probe() {
        for (ServiceInstance instance : instances) {
            long at = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(instance.url() + "/actuator/health/readiness"))
                    .timeout(TIMEOUT)
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                State state;
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    state = cause instanceof HttpTimeoutException ? State.TIMEOUT : State.REFUSED;
                } else if (response.statusCode() == 200 && response.body().contains("UP")) {
                    state = State.UP;
                } else if (response.statusCode() == 503) {
                    state = State.DOWN;
                } else {
                    state = State.OTHER;
                }
                if (!closed) {
                    samples.add(new Sample(at, instance.name(), state));
                    latest.put(instance.name(), state);
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        ticks.shutdownNow();
    }
}
