package com.idexa.webhooks.support;

import java.security.SecureRandom;
import java.util.Base64;

/** Fresh {@code webhooks.encryption-key} values for local runs and benchmarks: base64 of 32 random bytes. */
public final class EncryptionKeys {

    private EncryptionKeys() {}

    public static String random() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
