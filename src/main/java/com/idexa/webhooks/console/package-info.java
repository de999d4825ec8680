/**
 * The delivery console at {@code /console}: static HTML, CSS and JavaScript in the jar
 * ({@code resources/static/console}) that call the client API with the key the user pastes, and the headers that
 * keep it safe (a strict Content-Security-Policy). It calls no Java code of the service: the page is a client of
 * the public API like any other.
 */
package com.idexa.webhooks.console;
