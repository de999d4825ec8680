/** Secrets at rest: authenticated encryption of the webhook settings that carry credentials. */
package com.idexa.webhooks.crypto;
