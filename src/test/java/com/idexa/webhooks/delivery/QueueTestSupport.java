package com.idexa.webhooks.delivery;

import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * For tests that drive the {@link DeliveryQueue} statements themselves: the dispatcher is stopped for the test, so
 * nothing else claims the rows it makes, and started again after it; a receiver stands in for the endpoints.
 */
abstract class QueueTestSupport extends DeliveryTestSupport {

    @Autowired
    DeliveryQueue queue;

    @Autowired
    Dispatcher dispatcher;

    final TestReceiver receiver = TestReceiver.start();

    @BeforeEach
    void stopDispatcher() {
        dispatcher.stop();
    }

    @AfterEach
    void startDispatcher() {
        receiver.close();
        dispatcher.start();
    }
}
