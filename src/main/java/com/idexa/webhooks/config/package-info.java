/** Typed configuration of the service: every {@code webhooks.*} property lives in {@link com.idexa.webhooks.config.WebhooksProperties}. */
package com.idexa.webhooks.config;
