package com.idexa.webhooks.web;

import java.util.Map;
import org.springframework.http.HttpStatus;

/** A request without valid credentials for the API it calls. */
public class Unauthenticated extends ApiException {

    private final String challenge;

    public Unauthenticated(String detail, String challenge) {
        super(HttpStatus.UNAUTHORIZED, "Unauthorized", detail);
        this.challenge = challenge;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("WWW-Authenticate", challenge);
    }
}
