package com.idexa.webhooks.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The host shapes registration accepts, as a table: host, accepted in production, accepted in local development. */
class HostNamesTest {

    @ParameterizedTest(name = "{0}: production {1}, local development {2}")
    @CsvSource({
        // public names and canonical literals
        "example.com,                  true,  true",
        "hooks.client.example.co.uk,   true,  true",
        "Hooks.Example.COM,            true,  true",
        "xn--bcher-kva.example,        true,  true",
        "a-b.example.xn--p1ai,         true,  true",
        "8.8.8.8,                      true,  true",
        "127.0.0.1,                    true,  true", // a canonical literal: the network policy refuses it, not this
        "0.0.0.0,                      true,  true",
        "[2606:4700:4700::1111],       true,  true",
        "[::1],                        true,  true",
        "[::ffff:127.0.0.1],           true,  true",
        "[0:0:0:0:0:0:0:1],            true,  true",
        // IPv4 in forms resolvers disagree on
        "0177.0.0.1,                   false, false",
        "127.000.000.001,              false, false",
        "017700000001,                 false, false",
        "2130706433,                   false, false",
        "127.1,                        false, false",
        "256.1.1.1,                    false, false",
        "1.2.3.4.5,                    false, false",
        "0x7f000001,                   false, false",
        "0x7f.0x0.0x0.0x1,             false, false",
        "1.2.3.com1,                   false, true",
        // IPv6 with a zone id or in a non-standard form
        "[fe80::1%eth0],               false, false",
        "[fe80::1%25eth0],             false, false",
        "[::ffff:0177.0.0.1],          false, false",
        // trailing dots and malformed labels
        "localhost.,                   false, false",
        "example.com.,                 false, false",
        "-example.com,                 false, false",
        "example-.com,                 false, false",
        "exa_mple.com,                 false, false",
        "a..b.com,                     false, false",
        // never public
        "localhost,                    false, true",
        "LOCALHOST,                    false, true",
        "localhost.localdomain,        false, true",
        "metadata,                     false, true",
        "metadata.google.internal,     false, true",
        "vm,                           false, true",
        "receiver,                     false, true",
        "api.internal,                 false, true",
        "printer.local,                false, true",
        "app.localhost,                false, true",
        "nas.home.arpa,                false, true",
        "1.0.0.127.in-addr.arpa,       false, true",
        "router.lan,                   false, true",
        "intranet.corp,                false, true",
        "example.c0m,                  false, true",
    })
    void acceptsOnlyCanonicalLiteralsAndNamesThatCanBePublic(
            String host, boolean acceptedInProduction, boolean acceptedInLocalDevelopment) {
        assertThat(HostNames.whyRefused(host, false) == null)
                .as("%s in production: %s", host, HostNames.whyRefused(host, false))
                .isEqualTo(acceptedInProduction);
        assertThat(HostNames.whyRefused(host, true) == null)
                .as("%s in local development: %s", host, HostNames.whyRefused(host, true))
                .isEqualTo(acceptedInLocalDevelopment);
    }

    @ParameterizedTest
    @CsvSource({
        "0177.0.0.1, an IPv4 address must be four decimal numbers from 0 to 255 without leading zeros",
        "[fe80::1%eth0], an IPv6 address must not carry a zone id",
        "localhost., a host name must not end with a dot",
        "localhost, localhost is never a public endpoint",
        "metadata.google.internal, names under .internal are never a public endpoint",
        "metadata, a single-label host name is never a public endpoint",
    })
    void namesTheRuleAHostBreaks(String host, String rule) {
        assertThat(HostNames.whyRefused(host, false)).isEqualTo(rule);
    }
}
