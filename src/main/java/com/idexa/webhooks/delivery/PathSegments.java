package com.idexa.webhooks.delivery;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encodes a document id so it stays one path segment wherever {@code :id} stands: only RFC 3986
 * unreserved characters pass as they are, and {@code .} and {@code ..} are encoded so they cannot walk up.
 */
final class PathSegments {

    private PathSegments() {}

    static String encode(String value) {
        if (value.equals(".") || value.equals("..")) {
            return value.replace(".", "%2E");
        }
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
