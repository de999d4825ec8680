package com.idexa.webhooks.outbound;

/** The token endpoint did not give a token; the message says what it did, never what it sent. */
public class TokenFetchFailed extends Exception {

    private final long durationMillis;

    TokenFetchFailed(String message, long durationMillis) {
        super("token fetch failed: " + message, null, false, false);
        this.durationMillis = durationMillis;
    }

    public long durationMillis() {
        return durationMillis;
    }
}
