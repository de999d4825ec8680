/**
 * Everything that leaves the process: the network policy that keeps client URLs out of our own network, the one
 * guarded HTTP client (timeouts, no redirects, policy checked at connect time) and the token fetch.
 */
package com.idexa.webhooks.outbound;
