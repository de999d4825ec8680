package com.idexa.webhooks.client;

import com.idexa.webhooks.web.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

class ApiKeyNotFound extends ApiException {
    ApiKeyNotFound(UUID keyId) {
        super(HttpStatus.NOT_FOUND, "API key not found", "No API key has the id " + keyId + ".");
    }
}
