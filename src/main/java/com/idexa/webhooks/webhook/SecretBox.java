package com.idexa.webhooks.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message. The caller passes associated data (the row id) so a
 * ciphertext copied onto another row fails to open. Layout: {@code version(1) | nonce(12) | ciphertext+tag}.
 */
final class SecretBox {

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * @param base64Key base64 of exactly 32 bytes
     * @throws IllegalArgumentException saying how to make a key, never echoing what was given
     */
    static SecretBox fromBase64Key(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            throw new IllegalArgumentException(
                    "webhooks.encryption-key is not set. It encrypts webhook secrets at rest; "
                            + "generate one with `openssl rand -base64 32` and pass it as WEBHOOKS_ENCRYPTION_KEY");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "webhooks.encryption-key is not valid base64; " + "generate one with `openssl rand -base64 32`");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("webhooks.encryption-key must be base64 of 32 bytes (it is " + raw.length
                    + "); generate one with `openssl rand -base64 32`");
        }
        return new SecretBox(raw);
    }

    static String generateBase64Key() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    byte[] seal(byte[] plaintext, String associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** @throws SecretUnreadable when the box was altered, moved to another row, or sealed with another key */
    byte[] open(byte[] box, String associatedData) {
        if (box == null || box.length < 1 + NONCE_BYTES + TAG_BITS / 8 || box[0] != VERSION) {
            throw new SecretUnreadable("sealed secret has an unknown format");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(box, 1 + NONCE_BYTES, box.length - 1 - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadable("sealed secret could not be opened: wrong key or altered data");
        }
    }
}
