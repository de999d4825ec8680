package com.idexa.webhooks.outbound;

import java.net.URI;
import java.util.Map;

/**
 * One request to a client's endpoint. {@code body} is {@code null} for requests without one.
 * {@link #toString()} leaves out headers and body: they may carry credentials.
 */
public record OutboundRequest(String method, URI uri, Map<String, String> headers, byte[] body) {

    @Override
    public String toString() {
        return method + " " + uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + uri.getRawPath();
    }
}
