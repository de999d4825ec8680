package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class BearerTokenInterceptorTest {

    @Test
    void refusesEverythingWhenNoTokenIsConfigured() {
        BearerTokenInterceptor disabled = new BearerTokenInterceptor(null, "admin", "webhooks.admin-token");
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("Authorization", "Bearer ");

        assertThatThrownBy(() -> disabled.preHandle(request, new MockHttpServletResponse(), null))
                .isInstanceOf(Unauthenticated.class)
                .hasMessageContaining("webhooks.admin-token is not set");
    }

    @Test
    void acceptsTheConfiguredToken() {
        BearerTokenInterceptor guard = new BearerTokenInterceptor("s3cret", "admin", "webhooks.admin-token");
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("Authorization", "Bearer s3cret");

        assertThat(guard.preHandle(request, new MockHttpServletResponse(), null))
                .isTrue();
    }
}
