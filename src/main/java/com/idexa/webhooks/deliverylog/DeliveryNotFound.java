package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.web.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** No delivery with that id exists for the asking client (another client's delivery is not found either). */
class DeliveryNotFound extends ApiException {
    DeliveryNotFound(UUID id) {
        super(HttpStatus.NOT_FOUND, "Delivery not found", "No delivery with the id " + id + " exists for this client.");
    }
}
