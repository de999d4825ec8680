package com.idexa.webhooks.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkPolicyTest {

    private final NetworkPolicy strict = new NetworkPolicy(false, HostResolver.SYSTEM);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.255.255.254",
                "0.0.0.0",
                "0.1.2.3",
                "10.0.0.1",
                "10.255.255.255",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "169.254.0.1",
                "100.64.0.1",
                "100.127.255.255",
                "192.0.0.8",
                "192.0.2.1",
                "198.18.0.1",
                "198.19.255.255",
                "198.51.100.7",
                "203.0.113.9",
                "224.0.0.1",
                "239.255.255.250",
                "240.0.0.1",
                "255.255.255.255",
                "::",
                "::1",
                "fe80::1",
                "fc00::1",
                "fd12:3456::1",
                "fec0::1",
                "ff02::1",
                "2001:db8::1",
                "2001::1",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "100::1",
                "3fff::1",
                "64:ff9b:1::a00:1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254",
                "::127.0.0.1",
                "::10.0.0.1",
                "64:ff9b::7f00:1",
                "64:ff9b::a9fe:a9fe",
                "2002:7f00:1::1",
                "2002:c0a8:101::1",
                "2002:a9fe:a9fe::"
            })
    void refusesInternalAndReservedAddresses(String literal) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(literal);

        assertThat(NetworkPolicy.whyBlocked(address)).as(literal).isNotNull();
        assertThatThrownBy(() -> strict.resolveAllowed(literal))
                .isInstanceOf(AddressBlocked.class)
                .hasMessage("host is not allowed: it is a loopback, private or reserved address");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.1.1.1",
                "8.8.8.8",
                "93.184.216.34",
                "100.63.255.255",
                "100.128.0.0",
                "172.15.255.255",
                "172.32.0.0",
                "192.167.255.255",
                "192.169.0.0",
                "169.253.255.255",
                "198.17.255.255",
                "223.255.255.255",
                "2606:4700:4700::1111",
                "2a00:1450:4001:81c::200e",
                "::ffff:8.8.8.8",
                "64:ff9b::808:808",
                "2002:808:808::1"
            })
    void allowsPublicAddresses(String literal) throws UnknownHostException {
        assertThat(NetworkPolicy.whyBlocked(InetAddress.getByName(literal)))
                .as(literal)
                .isNull();
        assertThat(strict.resolveAllowed(literal)).hasSize(1);
    }

    @Test
    void checksBracketedIpv6LiteralsAsUrlsWriteThem() {
        assertThatThrownBy(() -> strict.resolveAllowed("[::1]")).isInstanceOf(AddressBlocked.class);
        assertThatThrownBy(() -> strict.resolveAllowed("[::ffff:127.0.0.1]")).isInstanceOf(AddressBlocked.class);
    }

    @Test
    void oneForbiddenAnswerTaintsTheWholeName() {
        HostResolver mixed =
                host -> new InetAddress[] {InetAddress.getByName("8.8.8.8"), InetAddress.getByName("10.1.2.3")};

        assertThatThrownBy(() -> new NetworkPolicy(false, mixed).resolveAllowed("mixed.test"))
                .isInstanceOf(AddressBlocked.class)
                .hasMessage("host is not allowed: it resolves to a loopback, private or reserved address");
    }

    @Test
    void refusesLocalhostByNameWithoutRevealingWhatItResolvesTo() {
        assertThatThrownBy(() -> strict.resolveAllowed("localhost"))
                .isInstanceOf(AddressBlocked.class)
                .hasMessage("host is not allowed: it resolves to a loopback, private or reserved address");
    }

    @Test
    void namesTheRuleNotTheAddressAnInternalNameResolvesTo() {
        HostResolver internalDns = host -> new InetAddress[] {InetAddress.getByName("10.20.30.40")};

        assertThatThrownBy(() -> new NetworkPolicy(false, internalDns).resolveAllowed("vm.corp.example"))
                .isInstanceOf(AddressBlocked.class)
                .hasMessage("host is not allowed: it resolves to a loopback, private or reserved address")
                .message()
                .doesNotContain("10.20.30.40")
                .doesNotContain("vm.corp.example");
    }

    @Test
    void allowsEverythingWhenPrivateNetworksAreAllowed() throws UnknownHostException {
        NetworkPolicy open = new NetworkPolicy(true, HostResolver.SYSTEM);

        assertThat(open.resolveAllowed("127.0.0.1"))
                .extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.1");
    }

    @Test
    void refusesIpv4MappedAddressBuiltByBytes() throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        InetAddress address = java.net.Inet6Address.getByAddress(null, mapped, -1);

        assertThat(NetworkPolicy.whyBlocked(address)).isNotNull();
    }
}
