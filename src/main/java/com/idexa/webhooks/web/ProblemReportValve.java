package com.idexa.webhooks.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error answers as problem documents instead of HTML. A request Tomcat cannot parse (a control
 * character in a header, a header too large, a broken request line, an encoded slash or a malformed escape in
 * the path, an unknown transfer coding) is refused before it is mapped to the application, so no error page or
 * filter can reach it: this valve, on the host, is what answers. It never echoes the request, and stays silent
 * when the response already has a body (the application's own error page answered).
 *
 * <p>What even this valve cannot shape: a request line longer than the header buffer (8 KiB) leaves Tomcat no
 * protocol version, so it answers as to HTTP/0.9, this problem document without a status line or headers; an
 * HTTP/2 preface ({@code PRI * HTTP/2.0}) on this HTTP/1.1 port is closed without an answer.
 */
final class ProblemReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client has gone, or the response was committed meanwhile: nothing left to tell it
        }
    }

    static String body(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = status >= 500
                ? "The server could not handle the request."
                : "The request is malformed (request line, headers or path) and was refused before it reached the API.";
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail
                + "\"}";
    }
}
