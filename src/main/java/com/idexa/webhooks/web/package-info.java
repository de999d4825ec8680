/**
 * What every endpoint shares, below every feature: RFC 9457 problem documents for every error, the bearer-token
 * guards of the admin and intake APIs, request limits and ids, the OpenAPI document.
 */
package com.idexa.webhooks.web;
