package com.idexa.webhooks.signing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * One signing key of a webhook: an HMAC-SHA256 secret (signatures {@code v1}) and, when the client asked for
 * asymmetric signatures, an Ed25519 key pair (signatures {@code v1a}), made together and retired together. Stored sealed, with the webhook's other secrets.
 *
 * @param secret the HMAC secret, 24 to 64 bytes
 * @param ed25519Seed the Ed25519 private key (RFC 8032 seed, 32 bytes); {@code null} for an HMAC-only key
 * @param ed25519PublicKey its public key (32 bytes); {@code null} for an HMAC-only key
 * @param createdAt when the key was made
 * @param retiresAt {@code null} for the current key; for a previous one, when it stops signing
 */
@JsonIgnoreProperties(ignoreUnknown = true) // stored: a later release's fields must not make the keys unreadable
public record SigningKey(
        byte[] secret, byte[] ed25519Seed, byte[] ed25519PublicKey, Instant createdAt, Instant retiresAt) {

    /** Prefix of an HMAC secret's text form, as Standard Webhooks and Svix write it. */
    public static final String SECRET_PREFIX = "whsec_";
    /** Prefix of an Ed25519 public key's text form (Standard Webhooks). */
    public static final String PUBLIC_KEY_PREFIX = "whpk_";

    /** The specification's example secret, which tools copy into requests: refused as a chosen secret. */
    static final String PUBLISHED_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static final int MIN_SECRET_BYTES = 24;
    static final int MAX_SECRET_BYTES = 64;
    private static final int GENERATED_SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A copy: the record's arrays are never handed out to be changed. */
    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** A copy, or {@code null} for an HMAC-only key. */
    @Override
    public byte[] ed25519Seed() {
        return ed25519Seed == null ? null : ed25519Seed.clone();
    }

    /** A copy, or {@code null} for an HMAC-only key. */
    @Override
    public byte[] ed25519PublicKey() {
        return ed25519PublicKey == null ? null : ed25519PublicKey.clone();
    }

    /**
     * A new current key: 32 random bytes of HMAC secret and, when asked, a new Ed25519 key pair.
     *
     * @param keyPair whether the key also signs {@code v1a} (asymmetric): a client's choice, since an Ed25519
     *     signature costs about ten times the CPU of the HMAC one on every attempt
     */
    public static SigningKey generate(Instant now, boolean keyPair) {
        byte[] secret = new byte[GENERATED_SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return withSecret(secret, now, keyPair);
    }

    /** A new current key with the HMAC secret the client chose and, when asked, a new Ed25519 key pair. */
    public static SigningKey withSecret(byte[] secret, Instant now, boolean keyPair) {
        if (!keyPair) {
            return new SigningKey(secret.clone(), null, null, now, null);
        }
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        RANDOM.nextBytes(seed);
        byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed, 0, publicKey, 0);
        return new SigningKey(secret.clone(), seed, publicKey, now, null);
    }

    /** Whether this key has an Ed25519 pair and so signs {@code v1a} too. */
    public boolean hasKeyPair() {
        return ed25519Seed != null;
    }

    /**
     * An HMAC-only key from its text form, for signing with a secret set in configuration, such as the one of the
     * notifications to operators (no rotation, no Ed25519).
     *
     * @throws IllegalArgumentException as {@link #parseSecret} does
     */
    public static SigningKey fromSecretText(String whsec) {
        return new SigningKey(parseSecret(whsec), null, null, Instant.EPOCH, null);
    }

    /**
     * Reads {@code whsec_} + base64 of 24 to 64 bytes.
     *
     * @throws IllegalArgumentException saying which rule the text breaks, never echoing it
     */
    public static byte[] parseSecret(String whsec) {
        if (whsec == null || !whsec.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("must start with " + SECRET_PREFIX);
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(whsec.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be " + SECRET_PREFIX + " followed by standard base64");
        }
        if (raw.length < MIN_SECRET_BYTES || raw.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException("must decode to " + MIN_SECRET_BYTES + " to " + MAX_SECRET_BYTES
                    + " bytes (it decodes to " + raw.length + ")");
        }
        if (whsec.equals(PUBLISHED_EXAMPLE)) {
            throw new IllegalArgumentException("is the example secret published in the Standard Webhooks "
                    + "specification: anyone could sign with it; use random bytes");
        }
        if (allEqual(raw)) {
            throw new IllegalArgumentException("is one byte repeated: use random bytes");
        }
        return raw;
    }

    private static boolean allEqual(byte[] raw) {
        for (byte b : raw) {
            if (b != raw[0]) {
                return false;
            }
        }
        return true;
    }

    /** {@code whsec_} + base64 of the HMAC secret: what the client's receiver verifies with. */
    public String secretText() {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(secret);
    }

    /** {@code whpk_} + base64 of the Ed25519 public key, or {@code null} for an HMAC-only key. */
    public String publicKeyText() {
        return ed25519PublicKey == null
                ? null
                : PUBLIC_KEY_PREFIX + Base64.getEncoder().encodeToString(ed25519PublicKey);
    }

    /** Whether this key signs a request made at {@code at}: the current key always, a previous one until it retires. */
    public boolean signsAt(Instant at) {
        return retiresAt == null || at.isBefore(retiresAt);
    }

    /** This key, retiring at {@code at} (a current key that a rotation replaced). */
    public SigningKey retiringAt(Instant at) {
        return new SigningKey(secret, ed25519Seed, ed25519PublicKey, createdAt, at);
    }

    /** Key material never reaches a log line or an exception message through this record. */
    @Override
    public String toString() {
        return "SigningKey[createdAt=" + createdAt + ", retiresAt=" + retiresAt + ", key material hidden]";
    }
}
