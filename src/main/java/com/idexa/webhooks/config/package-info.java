/** Typed configuration ({@link com.idexa.webhooks.config.WebhooksProperties}, every {@code webhooks.*} property), the one clock, and the settings a Spring AOT build fixes ({@link com.idexa.webhooks.config.BuildTimeChoices}). */
package com.idexa.webhooks.config;
