package com.idexa.webhooks.client;

import com.idexa.webhooks.web.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

public class ClientNotFound extends ApiException {
    public ClientNotFound(UUID clientId) {
        super(HttpStatus.NOT_FOUND, "Client not found", "No client has the id " + clientId + ".");
    }
}
