package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.web.ApiException;
import org.springframework.http.HttpStatus;

/** Another recovery of the same client is running; recoveries of one client take turns. */
class RecoveryRunning extends ApiException {

    RecoveryRunning() {
        super(
                HttpStatus.CONFLICT,
                "Recovery running",
                "Another recovery of this client's deliveries is running; send this one again when it has ended.");
    }
}
