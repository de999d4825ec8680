package com.idexa.webhooks.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message, under a ring of keys: the current key
 * ({@code webhooks.encryption-key}) seals and opens, previous keys ({@code webhooks.previous-encryption-keys}) only
 * open. The caller passes associated data (the row id) so a ciphertext copied onto another row fails to open.
 *
 * <p>Layout: {@code version(1)=2 | key id(4) | nonce(12) | ciphertext+tag}. The key id is the first 4 bytes of the
 * SHA-256 of the key ({@code base64 -d | sha256sum | cut -c1-8} shows it): it names the key without revealing it.
 * Boxes sealed before key ids, {@code version(1)=1 | nonce(12) | ciphertext+tag}, are opened by trying each key.
 */
final class SecretBox {

    private static final byte VERSION_1 = 1;
    private static final byte VERSION_2 = 2;
    private static final int KEY_ID_BYTES = 4;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String CURRENT = "webhooks.encryption-key";
    private static final String PREVIOUS = "webhooks.previous-encryption-keys";
    private static final String HOW_TO_MAKE_ONE = "generate one with `openssl rand -base64 32`";

    /** The current key first, then the previous ones, by key id. */
    private final Map<String, SecretKeySpec> keys;

    private final String currentKeyId;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(Map<String, SecretKeySpec> keys) {
        this.keys = keys;
        this.currentKeyId = keys.keySet().iterator().next();
    }

    /** A box with one key, which seals and opens. */
    static SecretBox fromBase64Key(String base64Key) {
        return fromBase64Keys(base64Key, List.of());
    }

    /**
     * @param currentKey base64 of exactly 32 bytes: seals and opens
     * @param previousKeys base64 of exactly 32 bytes each: only open; blank entries and repeats are ignored
     * @throws IllegalArgumentException naming the property and saying how to make a key, never echoing what was
     *     given
     */
    static SecretBox fromBase64Keys(String currentKey, List<String> previousKeys) {
        if (currentKey == null || currentKey.isBlank()) {
            throw new IllegalArgumentException(CURRENT + " is not set. It encrypts webhook secrets at rest; "
                    + HOW_TO_MAKE_ONE + " and pass it as WEBHOOKS_ENCRYPTION_KEY");
        }
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        byte[] current = decode(currentKey, CURRENT);
        keys.put(keyId(current), new SecretKeySpec(current, "AES"));
        for (int i = 0; i < previousKeys.size(); i++) {
            String previous = previousKeys.get(i);
            if (previous == null || previous.isBlank()) {
                continue;
            }
            byte[] raw = decode(previous, PREVIOUS + "[" + i + "]");
            SecretKeySpec existing = keys.putIfAbsent(keyId(raw), new SecretKeySpec(raw, "AES"));
            if (existing != null && !Arrays.equals(existing.getEncoded(), raw)) {
                throw new IllegalArgumentException(PREVIOUS + "[" + i + "] has the same key id as another configured "
                        + "key (1 chance in 4 billion); " + HOW_TO_MAKE_ONE);
            }
        }
        return new SecretBox(keys);
    }

    private static byte[] decode(String base64Key, String property) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " is not valid base64; " + HOW_TO_MAKE_ONE);
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(
                    property + " must be base64 of 32 bytes (it is " + raw.length + "); " + HOW_TO_MAKE_ONE);
        }
        return raw;
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static String generateBase64Key() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** Seals with the current key. */
    byte[] seal(byte[] plaintext, String associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(1 + KEY_ID_BYTES + NONCE_BYTES + sealed.length)
                    .put(currentHeader())
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * @throws SecretUnreadable when the box was altered, moved to another row, or sealed with a key that is not
     *     configured
     */
    byte[] open(byte[] box, String associatedData) {
        if (box != null && box.length >= 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BITS / 8 && box[0] == VERSION_2) {
            String keyId = HexFormat.of().formatHex(box, 1, 1 + KEY_ID_BYTES);
            SecretKeySpec key = keys.get(keyId);
            if (key == null) {
                throw new SecretUnreadable(
                        "sealed secret has key id " + keyId + ", which is not among the configured keys");
            }
            return open(key, box, 1 + KEY_ID_BYTES, associatedData);
        }
        if (box != null && box.length >= 1 + NONCE_BYTES + TAG_BITS / 8 && box[0] == VERSION_1) {
            for (SecretKeySpec key : keys.values()) {
                try {
                    return open(key, box, 1, associatedData);
                } catch (SecretUnreadable wrongKey) {
                    // try the next key
                }
            }
            throw new SecretUnreadable(
                    "sealed secret (version 1) opens with none of the configured keys, " + "or was altered");
        }
        throw new SecretUnreadable("sealed secret has an unknown format");
    }

    private static byte[] open(SecretKeySpec key, byte[] box, int nonceAt, String associatedData) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, box, nonceAt, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            int sealedAt = nonceAt + NONCE_BYTES;
            return cipher.doFinal(box, sealedAt, box.length - sealedAt);
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadable("sealed secret could not be opened: wrong key or altered data");
        }
    }

    /** The first bytes of every box the current key seals: version 2 and the current key id. */
    byte[] currentHeader() {
        return ByteBuffer.allocate(1 + KEY_ID_BYTES)
                .put(VERSION_2)
                .put(HexFormat.of().parseHex(currentKeyId))
                .array();
    }

    /** @param keyId 8 hex digits, as stored in a version-2 box */
    boolean knowsKeyId(String keyId) {
        return keys.containsKey(keyId);
    }

    String currentKeyId() {
        return currentKeyId;
    }

    /** The ids of the previous keys, in the order configured. */
    Set<String> previousKeyIds() {
        Set<String> ids = new LinkedHashSet<>(keys.keySet());
        ids.remove(currentKeyId);
        return ids;
    }
}
