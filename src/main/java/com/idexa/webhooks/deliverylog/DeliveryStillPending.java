package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.web.ApiException;
import java.util.UUID;
import org.springframework.http.HttpStatus;

/** A retry was asked for a delivery that is still PENDING: it will be attempted anyway. */
class DeliveryStillPending extends ApiException {
    DeliveryStillPending(UUID id) {
        super(
                HttpStatus.CONFLICT,
                "Delivery still pending",
                "Delivery " + id + " is still PENDING: it will be attempted without being asked. "
                        + "Only a SUCCEEDED, FAILED or CANCELLED delivery can be sent again.");
    }
}
