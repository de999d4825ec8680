package com.idexa.webhooks.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses request bodies over the limit for their path with 413: at once when {@code Content-Length} says so,
 * or while reading a chunked body, through {@link PayloadTooLarge}. Where the path has a {@link BodyBudget}, a body
 * is refused with 503 and {@code Retry-After} when the budget cannot hold it: at once for a declared length, or
 * while reading a chunked body, through {@link BodyBudgetSpent}. A body that has not arrived within its timeout from
 * the start of its reading is refused with 408, through {@link BodyTooSlow}: a sender dripping a body holds a request
 * thread that long at most (plus one read's wait, {@code server.tomcat.connection-timeout}), not as long as it
 * likes. Nothing is written when any of them trips.
 */
public class RequestBodyLimitFilter extends OncePerRequestFilter {

    /** Seconds a sender refused for a spent {@link BodyBudget} is told to wait. */
    static final int BUSY_RETRY_AFTER_SECONDS = 1;

    static final String BUSY_TITLE = "Too many request bodies at once";
    static final String BUSY_DETAIL = "The service holds as many request bodies as its memory allows; retry after "
            + BUSY_RETRY_AFTER_SECONDS + " second.";

    /**
     * The limits of one request's body.
     *
     * @param maxBytes the largest body accepted
     * @param budget what bodies of this kind may hold together; null when they are not counted
     */
    public record Limit(long maxBytes, BodyBudget budget) {}

    private final Function<HttpServletRequest, Limit> limitFor;
    private final JsonMapper json;
    private final Runnable refusedForBudget;
    private final Duration readTimeout;

    /**
     * @param refusedForBudget called for each request refused because its budget was spent (a metric)
     * @param readTimeout how long a body may take to arrive, from when its reading begins
     */
    public RequestBodyLimitFilter(
            Function<HttpServletRequest, Limit> limitFor,
            JsonMapper json,
            Runnable refusedForBudget,
            Duration readTimeout) {
        this.limitFor = limitFor;
        this.json = json;
        this.refusedForBudget = refusedForBudget;
        this.readTimeout = readTimeout;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Limit limit = limitFor.apply(request);
        long declared = request.getContentLengthLong();
        if (declared > limit.maxBytes()) {
            refuse(
                    request,
                    response,
                    HttpStatus.CONTENT_TOO_LARGE,
                    "Request body too large",
                    "The request body is larger than the limit of " + limit.maxBytes() + " bytes.");
            return;
        }
        BodyBudget.Share share = limit.budget() == null ? null : limit.budget().share();
        try {
            if (share != null && declared > 0 && !share.take(declared)) {
                refusedForBudget.run();
                response.setHeader("Retry-After", Integer.toString(BUSY_RETRY_AFTER_SECONDS));
                refuse(request, response, HttpStatus.SERVICE_UNAVAILABLE, BUSY_TITLE, BUSY_DETAIL);
                return;
            }
            if (declared <= 0 && request.getHeader("Transfer-Encoding") == null) {
                chain.doFilter(request, response); // no body
                return;
            }
            byte[] read = readWhole(request, response, limit.maxBytes(), declared < 0 ? share : null);
            if (read != null) {
                chain.doFilter(new ReadRequest(request, read), response);
            }
        } finally {
            if (share != null) {
                share.giveBack();
            }
        }
    }

    /**
     * Reads a request's whole body before anything answers it (READ_FIRST), within its limits; null when it was
     * refused (408, 413, 503, or 400 for a body that broke off), with its rest abandoned.
     *
     * <p>READ_FIRST: an answer given before the body was read (a 401 for a wrong token, a 415) left Tomcat to read the
     * rest itself, at the sender's pace and outside the body's deadline: a hostile test held all 200 request threads
     * that way without any key, for as long as it kept dripping (33 s of API freeze for 33 s of attack). Read first,
     * every body is bounded by its deadline, whoever sends it. The bodies read here are bounded too: 64 KB for the
     * APIs, and intake's by its {@link BodyBudget}.
     */
    private byte[] readWhole(
            HttpServletRequest request, HttpServletResponse response, long maxBytes, BodyBudget.Share chunks)
            throws IOException {
        try {
            return read(request.getInputStream(), request.getContentLengthLong(), maxBytes, chunks);
        } catch (IOException refused) {
            if (refused instanceof BodyTooSlow
                    || refused instanceof SocketTimeoutException
                    || refused.getCause() instanceof SocketTimeoutException) {
                refuse(
                        request,
                        response,
                        HttpStatus.REQUEST_TIMEOUT,
                        "Request body too slow",
                        "The request body did not arrive within " + readTimeout.toSeconds() + " seconds.");
            } else if (refused instanceof PayloadTooLarge) {
                refuse(
                        request,
                        response,
                        HttpStatus.CONTENT_TOO_LARGE,
                        "Request body too large",
                        "The request body is larger than the limit of " + maxBytes + " bytes.");
            } else if (refused instanceof BodyBudgetSpent) {
                refusedForBudget.run();
                response.setHeader("Retry-After", Integer.toString(BUSY_RETRY_AFTER_SECONDS));
                refuse(request, response, HttpStatus.SERVICE_UNAVAILABLE, BUSY_TITLE, BUSY_DETAIL);
            } else {
                refuse(
                        request,
                        response,
                        HttpStatus.BAD_REQUEST,
                        "Request body unreadable",
                        "The request body could not be read to its end.");
            }
            return null;
        }
    }

    /**
     * The body, read within {@code maxBytes} and within the read timeout from now (each read also waits at most
     * Tomcat's connection timeout); a chunked body takes its bytes from {@code chunks} as they arrive.
     */
    private byte[] read(InputStream body, long declared, long maxBytes, BodyBudget.Share chunks) throws IOException {
        long deadline = System.nanoTime() + readTimeout.toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        byte[] buffer = new byte[8192];
        for (int n; (n = body.read(buffer)) >= 0; ) {
            if (out.size() + (long) n > maxBytes) {
                throw new PayloadTooLarge(maxBytes);
            }
            if (chunks != null && !chunks.take(n)) {
                throw new BodyBudgetSpent();
            }
            out.write(buffer, 0, n);
            if (System.nanoTime() - deadline > 0 && out.size() != declared) {
                throw new BodyTooSlow(readTimeout);
            }
        }
        return out.toByteArray();
    }

    /** A request whose body was read whole ({@link #readWhole}): its stream and reader give those bytes. */
    private static final class ReadRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read before the request was dispatched");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            Charset charset = StandardCharsets.UTF_8;
            try {
                if (getCharacterEncoding() != null) {
                    charset = Charset.forName(getCharacterEncoding());
                }
            } catch (IllegalArgumentException unknown) {
                // UTF-8, as for no charset
            }
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
        }
    }

    /**
     * A problem document, before the body has been read to its end: the connection closes, and Tomcat does not read
     * the rest at the sender's pace either ({@link AbandonedBodies}).
     */
    private void refuse(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        AbandonedBodies.abandon(request);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setInstance(java.net.URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader("Connection", "close");
        json.writeValue(response.getOutputStream(), problem);
    }
}
