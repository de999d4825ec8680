package com.idexa.webhooks.outbound;

import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where and how to fetch a webhook's token at delivery time.
 *
 * @param cacheKey identifies the configuration the token belongs to (the webhook id)
 * @param tokenAttr dotted path of the token in the JSON answer, e.g. {@code access_token} or {@code data.token}
 */
public record TokenEndpoint(
        Object cacheKey, String url, String method, Map<String, String> headers, ObjectNode body, String tokenAttr) {

    @Override
    public String toString() {
        return "TokenEndpoint[" + method + " " + url + "]";
    }
}
