package com.idexa.webhooks.web;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of request bodies that may be held at once by all the requests of one kind together (intake's): a
 * {@link Semaphore} of bytes. A request takes what its {@code Content-Length} declares before its body is read, or,
 * for a chunked body, each piece as it arrives; it gives everything back when it has been answered. A body larger
 * than the whole budget needs the whole budget, so it still goes through when it is alone. A request that finds
 * too little left waits its turn for up to {@link #WAIT} (first come, first served, so a large body is not passed
 * over for ever by small ones), then is refused ({@link RequestBodyLimitFilter}) and its sender retries.
 */
public final class BodyBudget {

    /** How long a request waits for its bytes before it is refused. */
    static final Duration WAIT = Duration.ofSeconds(1);

    private final int total;
    private final Semaphore bytes;

    public BodyBudget(long total) {
        if (total < 1) {
            throw new IllegalArgumentException("a body budget needs at least one byte");
        }
        this.total = (int) Math.min(Integer.MAX_VALUE, total);
        this.bytes = new Semaphore(this.total, true);
    }

    public int total() {
        return total;
    }

    /** Bytes held by requests now. */
    public int inUse() {
        return total - bytes.availablePermits();
    }

    /** What one request holds of a budget. Not thread-safe: a request reads its body on one thread at a time. */
    final class Share {
        private int held;

        /**
         * Takes {@code count} more bytes (capped, all taken, at the whole budget); false if they are not free within
         * {@link #WAIT} (the first take) or at once (the next pieces of a chunked body).
         */
        boolean take(long count) {
            int wanted = (int) Math.min(count, total - held);
            if (wanted <= 0) {
                return true;
            }
            try { // a request holding bytes never waits for more: it would hold them from the ones it waits on
                if (!bytes.tryAcquire(wanted, held > 0 ? 0 : WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            held += wanted;
            return true;
        }

        /** Gives back everything taken. */
        void giveBack() {
            if (held > 0) {
                bytes.release(held);
                held = 0;
            }
        }
    }

    Share share() {
        return new Share();
    }
}
