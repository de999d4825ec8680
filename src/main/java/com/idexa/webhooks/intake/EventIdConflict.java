package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.ApiException;
import com.idexa.webhooks.web.FieldProblem;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** {@link EventIdReused} as the HTTP API answers it: 409, naming each event's {@code eventId}. */
class EventIdConflict extends ApiException {

    private final List<FieldProblem> errors;

    EventIdConflict(EventIdReused reused) {
        super(HttpStatus.CONFLICT, "eventId already used for another event", reused.getMessage());
        this.errors = reused.problems();
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("errors", errors);
    }
}
