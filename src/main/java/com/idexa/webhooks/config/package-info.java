/** Typed configuration ({@link com.idexa.webhooks.config.WebhooksProperties}, every {@code webhooks.*} property), the one clock, the settings a Spring AOT build fixes ({@link com.idexa.webhooks.config.BuildTimeChoices}), and the planner settings of statements that must use indexes ({@link com.idexa.webhooks.config.IndexPlans}). */
package com.idexa.webhooks.config;
