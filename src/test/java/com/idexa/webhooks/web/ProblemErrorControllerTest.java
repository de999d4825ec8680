package com.idexa.webhooks.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

/** A failure forwarded to the error page is told as its status only: nothing of the exception reaches the client. */
class ProblemErrorControllerTest {

    @Test
    void tellsNothingOfTheExceptionBehindA500() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/document_webhooks");
        request.setAttribute(
                RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("pool secret-db-host:5432 exhausted"));

        ResponseEntity<ProblemDetail> response = new ProblemErrorController().error(request);

        assertThat(response.getStatusCode().value()).isEqualTo(500);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody().getInstance()).hasToString("/document_webhooks");
        assertThat(response.getBody().toString())
                .doesNotContain("IllegalStateException")
                .doesNotContain("secret-db-host");
    }

    @Test
    void answersAStatusThatIsNoErrorAsA500() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 200);

        assertThat(new ProblemErrorController().error(request).getStatusCode().value())
                .isEqualTo(500);
    }
}
