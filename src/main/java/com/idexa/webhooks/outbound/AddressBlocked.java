package com.idexa.webhooks.outbound;

import java.net.UnknownHostException;

/**
 * A host that is, or resolves to, an address the network policy forbids. It extends {@link UnknownHostException}
 * so an HTTP client treats it as a failed resolution and never opens a socket.
 */
public class AddressBlocked extends UnknownHostException {

    public AddressBlocked(String message) {
        super(message);
    }
}
