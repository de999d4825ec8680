/**
 * Intake from Kafka (off unless {@code webhooks.intake.kafka.enabled}): a batch listener records each poll's events
 * through {@link com.idexa.webhooks.intake.EventIntakeService}, as HTTP intake does, and commits the offsets only
 * after PostgreSQL has committed them; poison records go to the dead-letter topic.
 */
package com.idexa.webhooks.intake.kafka;
