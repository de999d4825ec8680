package com.idexa.webhooks.intake;

import com.idexa.webhooks.web.FieldProblem;
import java.util.List;

/**
 * An eventId the client already used for another event (another type or document), in this batch or before; nothing
 * of the request was recorded. A replay carries the same event; this is the sender's mistake, and answering with
 * the first event's delivery would drop the second document's callback silently.
 */
public class EventIdReused extends InvalidEvent {

    EventIdReused(List<FieldProblem> problems) {
        super(problems);
    }
}
