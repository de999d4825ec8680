/**
 * What every endpoint shares: RFC 9457 problem documents for every error, bearer-token and API-key
 * authentication, the request body size limit.
 */
package com.idexa.webhooks.web;
