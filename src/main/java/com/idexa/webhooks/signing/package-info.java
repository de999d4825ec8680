/**
 * Standard Webhooks signatures: the signing keys a webhook holds ({@link com.idexa.webhooks.signing.SigningKey}),
 * their text forms ({@code whsec_}, {@code whpk_}) and the {@code webhook-signature} header over the exact bytes
 * sent. Pure functions; it depends on no other package of the service.
 */
package com.idexa.webhooks.signing;
