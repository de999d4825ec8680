package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
}
