/**
 * The public webhook API ({@code /document_webhooks}): a client registers, reads and deletes its one webhook.
 * Secrets are sealed at rest and masked in every response.
 */
package com.idexa.webhooks.webhook;
