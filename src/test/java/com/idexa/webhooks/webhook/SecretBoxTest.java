package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    private final SecretBox box = SecretBox.fromBase64Key(SecretBox.generateBase64Key());

    @Test
    void opensWhatItSealed() {
        byte[] sealed = box.seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");

        assertThat(new String(box.open(sealed, "row-1"), StandardCharsets.UTF_8))
                .isEqualTo("p@ss");
    }

    @Test
    void sealsTheSameSecretDifferentlyEachTime() {
        byte[] plain = "p@ss".getBytes(StandardCharsets.UTF_8);

        assertThat(box.seal(plain, "row-1")).isNotEqualTo(box.seal(plain, "row-1"));
    }

    @Test
    void refusesABoxMovedToAnotherRow() {
        byte[] sealed = box.seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");

        assertThatThrownBy(() -> box.open(sealed, "row-2")).isInstanceOf(SecretUnreadable.class);
    }

    @Test
    void refusesAnAlteredBoxOrAnotherKey() {
        byte[] sealed = box.seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;

        assertThatThrownBy(() -> box.open(altered, "row-1")).isInstanceOf(SecretUnreadable.class);
        SecretBox other = SecretBox.fromBase64Key(SecretBox.generateBase64Key());
        assertThatThrownBy(() -> other.open(sealed, "row-1")).isInstanceOf(SecretUnreadable.class);
    }

    @Test
    void explainsHowToMakeAKeyWhenItIsMissingOrWrong() {
        assertThatThrownBy(() -> SecretBox.fromBase64Key(null)).hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> SecretBox.fromBase64Key("c2hvcnQ=")).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> SecretBox.fromBase64Key("not base64!")).hasMessageContaining("base64");
    }

    @Test
    void sealsVersion2WithTheCurrentKeyIdThenNonceThenCiphertext() throws Exception {
        String key = SecretBox.generateBase64Key();
        byte[] plain = "p@ss".getBytes(StandardCharsets.UTF_8);

        byte[] sealed = SecretBox.fromBase64Key(key).seal(plain, "row-1");

        assertThat(sealed[0]).isEqualTo((byte) 2);
        assertThat(Arrays.copyOfRange(sealed, 1, 5)).isEqualTo(keyId(key));
        assertThat(sealed).hasSize(1 + 4 + 12 + plain.length + 16);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, aes(key), new GCMParameterSpec(128, sealed, 5, 12));
        cipher.updateAAD("row-1".getBytes(StandardCharsets.UTF_8));
        assertThat(cipher.doFinal(sealed, 17, sealed.length - 17)).isEqualTo(plain);
    }

    @Test
    void opensWhatAPreviousKeySealedButSealsOnlyWithTheCurrentKey() {
        String keyA = SecretBox.generateBase64Key();
        String keyB = SecretBox.generateBase64Key();
        byte[] underA = SecretBox.fromBase64Key(keyA).seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");

        SecretBox rotated = SecretBox.fromBase64Keys(keyB, List.of(keyA));

        assertThat(rotated.open(underA, "row-1"))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("p@ss");
        byte[] underB = rotated.seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");
        assertThat(Arrays.copyOfRange(underB, 1, 5)).isEqualTo(keyId(keyB));
        assertThatThrownBy(() -> SecretBox.fromBase64Key(keyA).open(underB, "row-1"))
                .isInstanceOf(SecretUnreadable.class);
    }

    @Test
    void opensVersion1BoxesWithAnyConfiguredKey() throws Exception {
        String keyA = SecretBox.generateBase64Key();
        String keyB = SecretBox.generateBase64Key();
        byte[] version1 = version1Box(keyA, "p@ss", "row-1");

        assertThat(SecretBox.fromBase64Key(keyA).open(version1, "row-1"))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("p@ss");
        assertThat(SecretBox.fromBase64Keys(keyB, List.of(keyA)).open(version1, "row-1"))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo("p@ss");
        assertThatThrownBy(() -> SecretBox.fromBase64Key(keyB).open(version1, "row-1"))
                .isInstanceOf(SecretUnreadable.class);
        assertThatThrownBy(() -> SecretBox.fromBase64Keys(keyB, List.of(keyA)).open(version1, "row-2"))
                .isInstanceOf(SecretUnreadable.class);
    }

    @Test
    void namesTheUnknownKeyIdWhenNoConfiguredKeyMatches() {
        String keyA = SecretBox.generateBase64Key();
        byte[] underA = SecretBox.fromBase64Key(keyA).seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");

        assertThatThrownBy(() -> box.open(underA, "row-1"))
                .isInstanceOf(SecretUnreadable.class)
                .hasMessageContaining("key id " + SecretBox.fromBase64Key(keyA).currentKeyId())
                .hasMessageNotContaining(keyA);
    }

    @Test
    void refusesBoxesOfAnUnknownVersionOrTooShort() {
        byte[] sealed = box.seal("p@ss".getBytes(StandardCharsets.UTF_8), "row-1");
        byte[] version3 = sealed.clone();
        version3[0] = 3;

        assertThatThrownBy(() -> box.open(version3, "row-1")).hasMessageContaining("unknown format");
        assertThatThrownBy(() -> box.open(Arrays.copyOf(sealed, 20), "row-1")).hasMessageContaining("unknown format");
        assertThatThrownBy(() -> box.open(new byte[0], "row-1")).hasMessageContaining("unknown format");
    }

    @Test
    void keyIdIsTheStartOfTheKeysSha256InHex() {
        String key = SecretBox.generateBase64Key();
        SecretBox rotated = SecretBox.fromBase64Keys(key, List.of(SecretBox.generateBase64Key()));

        assertThat(rotated.currentKeyId()).isEqualTo(java.util.HexFormat.of().formatHex(keyId(key)));
        assertThat(rotated.currentHeader()).startsWith(2).endsWith(keyId(key));
    }

    @Test
    void refusesMalformedPreviousKeysNamingTheirPositionNeverTheirValue() {
        String good = SecretBox.generateBase64Key();

        assertThatThrownBy(() -> SecretBox.fromBase64Keys(good, List.of(good, "not base64!")))
                .hasMessageContaining("webhooks.previous-encryption-keys[1] is not valid base64")
                .hasMessageContaining("openssl rand -base64 32")
                .hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> SecretBox.fromBase64Keys(good, List.of("c2hvcnQ=")))
                .hasMessageContaining("webhooks.previous-encryption-keys[0] must be base64 of 32 bytes (it is 5)")
                .hasMessageNotContaining("c2hvcnQ=");
    }

    @Test
    void ignoresBlankAndRepeatedPreviousKeys() {
        String key = SecretBox.generateBase64Key();
        String previous = SecretBox.generateBase64Key();

        SecretBox rotated = SecretBox.fromBase64Keys(key, List.of(" ", key, previous, previous));

        assertThat(rotated.previousKeyIds())
                .containsExactly(SecretBox.fromBase64Key(previous).currentKeyId());
    }

    private static byte[] keyId(String base64Key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Base64.getDecoder().decode(base64Key));
            return Arrays.copyOf(digest, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecretKeySpec aes(String base64Key) {
        return new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES");
    }

    /** A box as releases before key ids sealed it: {@code version 1 | nonce(12) | ciphertext+tag}. */
    private static byte[] version1Box(String base64Key, String plaintext, String associatedData) throws Exception {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, aes(base64Key), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(1 + 12 + sealed.length)
                .put((byte) 1)
                .put(nonce)
                .put(sealed)
                .array();
    }
}
