/** Typed configuration ({@link com.idexa.webhooks.config.WebhooksProperties}, every {@code webhooks.*} property) and the one clock. */
package com.idexa.webhooks.config;
