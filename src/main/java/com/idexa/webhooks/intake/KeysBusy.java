package com.idexa.webhooks.intake;

import java.util.Set;

/**
 * Events that another transaction is recording under the same keys right now (a replay racing its original, a
 * batch holding one of them): a caller that must not wait for it gives these back. Nothing was recorded.
 */
final class KeysBusy extends RuntimeException {

    private final Set<EventRepository.EventKey> keys;

    KeysBusy(Set<EventRepository.EventKey> keys) {
        super(keys.size() + " event keys are being recorded by another transaction", null, false, false);
        this.keys = keys;
    }

    Set<EventRepository.EventKey> keys() {
        return keys;
    }
}
