package com.idexa.webhooks.deliverylog;

import com.idexa.webhooks.web.ApiException;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** The delivery statistics took too long for this client; the log itself is unaffected. */
class StatisticsUnavailable extends ApiException {

    StatisticsUnavailable(int seconds) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "Statistics unavailable",
                "The delivery statistics of this client took longer than " + seconds
                        + " s to compute; try again later. The delivery log is not affected.");
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", "60");
    }
}
