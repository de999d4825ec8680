package com.idexa.webhooks.outbound;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.concurrent.Cancellable;

/**
 * A handle that lets another thread abort an exchange in flight: its connection is closed at once, whatever the
 * exchange is doing (connecting, sending, waiting, reading), and the call ends in an {@link OutboundFailure} of
 * kind {@code INTERRUPTED} carrying the reason. Aborting before the exchange starts makes it fail as it starts.
 */
public final class Abort {

    private final AtomicReference<Cancellable> exchange = new AtomicReference<>();
    private volatile String reason;

    /** @param why what the attempt's log entry says, e.g. "this instance shut down before the endpoint answered" */
    public void abort(String why) {
        if (reason == null) {
            reason = why;
        }
        Cancellable current = exchange.get();
        if (current != null) {
            current.cancel();
        }
    }

    public boolean aborted() {
        return reason != null;
    }

    public String reason() {
        return reason;
    }

    void attach(Cancellable cancellable) {
        exchange.set(cancellable);
        if (aborted()) {
            cancellable.cancel();
        }
    }

    void detach() {
        exchange.set(null);
    }
}
