/** What a client reads and does with its deliveries: the log, attempts, retries, test sends; and the purge of old history. */
package com.idexa.webhooks.deliverylog;
