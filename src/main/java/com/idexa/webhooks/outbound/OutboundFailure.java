package com.idexa.webhooks.outbound;

/**
 * An outbound call that got no HTTP answer, or could not be made. The message says what happened in words fit for a client's
 * delivery log: it names no secret and no internal class.
 */
public class OutboundFailure extends Exception {

    /** Why no answer came; also the metric tag of the outcome. */
    public enum Kind {
        TIMEOUT("timeout"),
        CONNECTION("connection_error"),
        BLOCKED("blocked"),
        INTERRUPTED("interrupted"),
        /** The request could not be made at all, e.g. a URL with a port outside 1-65535. */
        INVALID_REQUEST("invalid_request");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Kind kind;
    private final long durationMillis;

    public OutboundFailure(Kind kind, String message, long durationMillis) {
        super(message, null, false, false);
        this.kind = kind;
        this.durationMillis = durationMillis;
    }

    public Kind kind() {
        return kind;
    }

    public long durationMillis() {
        return durationMillis;
    }
}
