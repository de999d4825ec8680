/** What a client reads and does with its deliveries: the log, attempts, retries, test sends; and the history's daily partitions: made ahead, dropped after the retention. */
package com.idexa.webhooks.deliverylog;
