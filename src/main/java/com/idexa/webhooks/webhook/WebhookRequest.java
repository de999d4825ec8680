package com.idexa.webhooks.webhook;

import com.idexa.webhooks.web.NoControlCharacters;
import com.idexa.webhooks.web.StrictInteger;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The body of {@code POST /document_webhooks}, as the Idexa documentation names it. The object-valued fields
 * stay {@link JsonNode}s so {@link WebhookValidator} can say precisely what is wrong with them. It carries
 * secrets, so {@link #toString()} hides them.
 */
record WebhookRequest(
        @NotBlank(message = "name is required")
        @NoControlCharacters(message = "name must not contain control characters")
        @Size(max = 255, message = "name must be at most 255 characters")
        String name,

        @JsonDeserialize(using = StrictInteger.class) @NotNull(message = "type is required")
        Integer type,

        @NotBlank(message = "method is required") String method,
        JsonNode headers,

        @Size(max = 64, message = "headerAuth must be at most 64 characters")
        String headerAuth,

        @NotBlank(message = "url is required") @Size(max = 2048, message = "url must be at most 2048 characters")
        String url,

        @Size(max = 8192, message = "authorization must be at most 8192 characters")
        String authorization,

        @Size(max = 2048, message = "authorizationUrl must be at most 2048 characters")
        String authorizationUrl,

        String authorizationMethod,
        JsonNode authorizationHeaders,
        JsonNode authorizationBody,

        @Size(max = 255, message = "authorizationResponseTokenAttr must be at most 255 characters")
        String authorizationResponseTokenAttr) {

    /** Framework DEBUG logging prints request bodies: this one leaves out everything that may be a credential. */
    @Override
    public String toString() {
        return "WebhookRequest[name=" + name + ", type=" + type + ", method=" + method + ", url=" + url
                + ", authorizationUrl=" + authorizationUrl + ", credentials hidden]";
    }
}
