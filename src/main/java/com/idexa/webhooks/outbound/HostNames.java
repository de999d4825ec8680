package com.idexa.webhooks.outbound;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shape a client URL's host must have to be registered: a canonical IP literal, or a well-formed DNS name that
 * could be public. Resolvers disagree on everything else ({@code 0177.0.0.1} is 177.0.0.1 to Java and 127.0.0.1
 * to most others; {@code 2130706433}, {@code 0x7f000001} and {@code 127.1} are 127.0.0.1 to some), and some names
 * are never a public endpoint ({@code localhost}, {@code metadata}, {@code *.internal}). The rules:
 *
 * <ul>
 *   <li>an IPv4 literal is four decimal numbers 0-255 without leading zeros; anything else made of digits and dots
 *       is refused;
 *   <li>an IPv6 literal is in brackets, without a zone id ({@code %eth0}); an IPv4 address inside it is canonical
 *       too;
 *   <li>a name is labels of letters, digits and hyphens (1-63 characters, no hyphen at either end, 253 in all),
 *       without a trailing dot, and its last label starts with a letter;
 *   <li>unless private networks are allowed: a name has at least two labels, its top-level label is letters (or
 *       an {@code xn--} IDN label), and it is not {@code localhost} nor under a suffix that is never public
 *       ({@link #NEVER_PUBLIC}).
 * </ul>
 *
 * These rules give an early, clear 400. They are not the guard: the {@link NetworkPolicy} checks every address a
 * name resolves to when a connection is made.
 */
public final class HostNames {

    /** Suffixes reserved for private use or special purposes: no public endpoint lives under them. */
    static final List<String> NEVER_PUBLIC = List.of(
            "localhost", // RFC 6761
            "local", // multicast DNS, RFC 6762
            "localdomain", // localhost.localdomain and friends
            "internal", // reserved for private use; metadata.google.internal
            "lan", // home routers
            "home", // home routers; never delegated by ICANN
            "corp", // enterprise networks; never delegated by ICANN
            "home.arpa", // RFC 8375
            "in-addr.arpa", // reverse DNS
            "ip6.arpa"); // reverse DNS

    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern CANONICAL_IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:]*:[0-9a-f:]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern PUBLIC_TOP_LABEL = Pattern.compile("[a-z]{2,63}|xn--[a-z0-9-]{1,59}");

    private HostNames() {}

    /**
     * @param host the host as {@link java.net.URI#getHost()} gives it (IPv6 in brackets)
     * @param privateNetworksAllowed whether names that are never public may be registered (local development)
     * @return the rule the host breaks, in words for the client, or {@code null} when its shape is fine
     */
    public static String whyRefused(String host, boolean privateNetworksAllowed) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            return whyRefusedIpv6(name.substring(1, name.length() - 1));
        }
        if (DIGITS_AND_DOTS.matcher(name).matches()) {
            return CANONICAL_IPV4.matcher(name).matches()
                    ? null
                    : "an IPv4 address must be four decimal numbers from 0 to 255 without leading zeros";
        }
        if (name.endsWith(".")) {
            return "a host name must not end with a dot";
        }
        if (name.length() > 253) {
            return "a host name must be at most 253 characters";
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "a host name must be labels of letters, digits and hyphens, separated by dots";
            }
        }
        String top = labels[labels.length - 1];
        if (!Character.isLetter(top.charAt(0))) {
            return "the last label of a host name must start with a letter";
        }
        if (privateNetworksAllowed) {
            return null;
        }
        for (String suffix : NEVER_PUBLIC) {
            if (name.equals(suffix)) {
                return suffix + " is never a public endpoint";
            }
            if (name.endsWith("." + suffix)) {
                return "names under ." + suffix + " are never a public endpoint";
            }
        }
        if (labels.length < 2) {
            return "a single-label host name is never a public endpoint";
        }
        if (!PUBLIC_TOP_LABEL.matcher(top).matches()) {
            return "the top-level label of a host name must be letters";
        }
        return null;
    }

    private static String whyRefusedIpv6(String literal) {
        if (literal.contains("%")) {
            return "an IPv6 address must not carry a zone id";
        }
        int lastColon = literal.lastIndexOf(':');
        String embeddedIpv4 = lastColon < 0 ? "" : literal.substring(lastColon + 1);
        boolean ipv4Inside = embeddedIpv4.contains(".");
        String hex = ipv4Inside ? literal.substring(0, lastColon + 1) + "0:0" : literal;
        if (!IPV6.matcher(hex).matches()
                || (ipv4Inside && !CANONICAL_IPV4.matcher(embeddedIpv4).matches())) {
            return "an IPv6 address must be written in standard form, in brackets";
        }
        return null;
    }
}
