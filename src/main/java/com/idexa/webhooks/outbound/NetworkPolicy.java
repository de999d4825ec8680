package com.idexa.webhooks.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Which addresses a client's URL may reach. Only public unicast addresses are allowed: loopback, private
 * (RFC 1918, IPv6 ULA), link-local (which holds the cloud metadata service at 169.254.169.254), CGNAT,
 * multicast, unspecified, documentation, benchmarking and reserved ranges are refused, IPv4 and IPv6 alike.
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address;
 * Teredo, whose embedded address is obfuscated, is refused.
 *
 * <p>The policy is applied twice: when a webhook is registered (a friendly early 400) and at connect time,
 * where {@link #resolveAllowed} is the HTTP client's DNS resolver, so the address checked is the address
 * connected to and a DNS answer that changes in between (DNS rebinding) gains nothing.
 *
 * <p>Registration checks the host's shape first ({@link HostNames}): canonical literals and names that can be
 * public only. {@code allowPrivateNetworks} switches the address checks off, for local development against
 * {@code localhost}.
 */
public final class NetworkPolicy {

    private static final List<Cidr> BLOCKED_V4 = Cidr.all(
            "0.0.0.0/8", // "this network", unspecified
            "10.0.0.0/8", // private
            "100.64.0.0/10", // CGNAT shared address space
            "127.0.0.0/8", // loopback
            "169.254.0.0/16", // link-local, cloud metadata
            "172.16.0.0/12", // private
            "192.0.0.0/24", // IETF protocol assignments
            "192.0.2.0/24", // TEST-NET-1
            "192.88.99.0/24", // 6to4 relay anycast
            "192.168.0.0/16", // private
            "198.18.0.0/15", // benchmarking
            "198.51.100.0/24", // TEST-NET-2
            "203.0.113.0/24", // TEST-NET-3
            "224.0.0.0/4", // multicast
            "240.0.0.0/4"); // reserved, broadcast

    private static final List<Cidr> BLOCKED_V6 = Cidr.all(
            "::/128", // unspecified
            "::1/128", // loopback
            "100::/64", // discard-only
            "2001::/23", // IETF protocol assignments, Teredo among them
            "2001:db8::/32", // documentation
            "3fff::/20", // documentation
            "5f00::/16", // SRv6 SIDs
            "fc00::/7", // unique local
            "fe80::/10", // link-local
            "fec0::/10", // site-local (deprecated)
            "ff00::/8"); // multicast

    private static final Cidr GLOBAL_UNICAST_V6 = Cidr.parse("2000::/3");
    private static final Cidr MAPPED_V4 = Cidr.parse("::ffff:0:0/96");
    private static final Cidr COMPATIBLE_V4 = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr NAT64_LOCAL = Cidr.parse("64:ff9b:1::/48");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    /**
     * What a refusal says: the rule, never the address a name resolved to, so no client can map our internal DNS
     * through registration errors or its delivery log.
     */
    static final String NAME_BLOCKED = "host is not allowed: it resolves to a loopback, private or reserved address";

    static final String LITERAL_BLOCKED = "host is not allowed: it is a loopback, private or reserved address";

    private final boolean allowPrivateNetworks;
    private final HostResolver resolver;

    public NetworkPolicy(boolean allowPrivateNetworks, HostResolver resolver) {
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.resolver = resolver;
    }

    public boolean allowsPrivateNetworks() {
        return allowPrivateNetworks;
    }

    /**
     * Resolves {@code host} (a name or an IP literal) and returns its addresses if every one is allowed.
     *
     * @throws AddressBlocked if any address is forbidden (one bad answer taints the name); its message names the
     *     rule, not the address
     * @throws UnknownHostException if the name does not resolve
     */
    public InetAddress[] resolveAllowed(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = resolver.resolve(bare);
        if (!allowPrivateNetworks) {
            for (InetAddress address : addresses) {
                if (whyBlocked(address) != null) {
                    throw new AddressBlocked(isLiteral(bare) ? LITERAL_BLOCKED : NAME_BLOCKED);
                }
            }
        }
        return addresses;
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** @return why the address is forbidden, or {@code null} when it is a public unicast address */
    public static String whyBlocked(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return Cidr.anyContains(BLOCKED_V4, bytes)
                    ? "a loopback, private, link-local or reserved IPv4 address"
                    : null;
        }
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(bytes);
            if (embedded != null) {
                return Cidr.anyContains(BLOCKED_V4, embedded)
                        ? "an IPv6 address embedding a loopback, private, link-local or reserved IPv4 address"
                        : null;
            }
            if (!GLOBAL_UNICAST_V6.contains(bytes) || Cidr.anyContains(BLOCKED_V6, bytes)) {
                return "a loopback, private, link-local or reserved IPv6 address";
            }
            return null;
        }
        return "an address of an unknown family";
    }

    private static byte[] embeddedIpv4(byte[] v6) {
        if (MAPPED_V4.contains(v6) || NAT64.contains(v6)) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if (COMPATIBLE_V4.contains(v6)) {
            // ::/128 and ::1 fall in here too; their "embedded" 0.0.0.0 and 0.0.0.1 are blocked as 0.0.0.0/8.
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if (NAT64_LOCAL.contains(v6)) {
            return new byte[] {0, 0, 0, 0}; // local-use translation prefix: never a public destination
        }
        if (SIX_TO_FOUR.contains(v6)) {
            return Arrays.copyOfRange(v6, 2, 6);
        }
        return null;
    }

    /** An address block; small enough to keep here rather than pull in a library. */
    private record Cidr(byte[] network, int prefixLength) {

        static List<Cidr> all(String... cidrs) {
            return Arrays.stream(cidrs).map(Cidr::parse).toList();
        }

        static Cidr parse(String cidr) {
            int slash = cidr.indexOf('/');
            try {
                byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
                if (cidr.startsWith("::ffff:")) {
                    // InetAddress folds ::ffff:a.b.c.d into IPv4; keep the 16-byte form for this one block.
                    network = new byte[16];
                    network[10] = (byte) 0xff;
                    network[11] = (byte) 0xff;
                }
                return new Cidr(network, Integer.parseInt(cidr.substring(slash + 1)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
        }

        static boolean anyContains(List<Cidr> blocks, byte[] address) {
            return blocks.stream().anyMatch(block -> block.contains(address));
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixLength / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int remainingBits = prefixLength % 8;
            if (remainingBits == 0) {
                return true;
            }
            int mask = (0xff << (8 - remainingBits)) & 0xff;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }
}
