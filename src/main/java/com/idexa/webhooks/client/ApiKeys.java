package com.idexa.webhooks.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shape of an API key: {@code idx_<prefix>_<secret>}. The prefix (10 lowercase base32 characters) is not
 * secret and finds the row; the secret is 32 random bytes. The key is stored as SHA-256 of the whole string,
 * which is right for a random 256-bit secret (a slow password hash buys nothing against brute force here).
 */
final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int PREFIX_LENGTH = 10;

    private ApiKeys() {}

    record NewKey(String key, String prefix, byte[] hash) {}

    static NewKey generate() {
        StringBuilder prefix = new StringBuilder(PREFIX_LENGTH);
        for (int i = 0; i < PREFIX_LENGTH; i++) {
            prefix.append(BASE32[RANDOM.nextInt(BASE32.length)]);
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key =
                "idx_" + prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewKey(key, prefix.toString(), hash(key));
    }

    /** @return the prefix of a well-formed key, or {@code null} when the string cannot be one of ours */
    static String prefixOf(String key) {
        if (key == null || key.length() > 200 || !key.startsWith("idx_")) {
            return null;
        }
        int end = key.indexOf('_', 4);
        return end == 4 + PREFIX_LENGTH ? key.substring(4, end) : null;
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static boolean matches(String key, byte[] storedHash) {
        return MessageDigest.isEqual(hash(key), storedHash);
    }
}
