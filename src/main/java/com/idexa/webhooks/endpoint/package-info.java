/**
 * A webhook's endpoint as operators and clients manage it: its state (ACTIVE, or DISABLED with its deliveries
 * held), enabling it again, the client's delivery settings (rate and concurrency), and the operator notification of
 * each state change. The dispatcher ({@code delivery}) keeps the health and honours the state and settings.
 */
package com.idexa.webhooks.endpoint;
