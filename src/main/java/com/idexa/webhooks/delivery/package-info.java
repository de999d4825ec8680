/**
 * From a finished document to the client's endpoint: intake records the event and its delivery in one
 * transaction, the {@link com.idexa.webhooks.delivery.Dispatcher} claims due deliveries and sends them with
 * retries, and the delivery log lets the client see, retry and test them.
 */
package com.idexa.webhooks.delivery;
