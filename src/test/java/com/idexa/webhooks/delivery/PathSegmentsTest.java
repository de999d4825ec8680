package com.idexa.webhooks.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathSegmentsTest {

    @Test
    void keepsUnreservedCharacters() {
        assertThat(PathSegments.encode("a7046a49-1fe0_483d.b220~x")).isEqualTo("a7046a49-1fe0_483d.b220~x");
    }

    @Test
    void encodesEverythingThatCouldLeaveTheSegment() {
        assertThat(PathSegments.encode("a/b?c#d&e=f g%")).isEqualTo("a%2Fb%3Fc%23d%26e%3Df%20g%25");
        assertThat(PathSegments.encode("é")).isEqualTo("%C3%A9");
    }

    @Test
    void encodesDotSegments() {
        assertThat(PathSegments.encode("..")).isEqualTo("%2E%2E");
        assertThat(PathSegments.encode(".")).isEqualTo("%2E");
    }
}
