/** The platform reports finished documents: each event and its delivery are recorded together, once per eventId. */
package com.idexa.webhooks.intake;
