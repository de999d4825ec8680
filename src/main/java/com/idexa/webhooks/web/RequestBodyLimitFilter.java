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
import java.io.IOException;
import java.io.InputStreamReader;
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
            Body body = new Body(
                    limit.maxBytes(),
                    declared < 0 ? share : null,
                    refusedForBudget,
                    readTimeout,
                    () -> AbandonedBodies.abandon(request));
            LimitedRequest limited = new LimitedRequest(request, body);
            if (declared <= 0 && request.getHeader("Transfer-Encoding") == null) {
                chain.doFilter(limited, response);
                return;
            }
            byte[] read = readWhole(request, response, limited);
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
    private byte[] readWhole(HttpServletRequest request, HttpServletResponse response, LimitedRequest limited)
            throws IOException {
        try {
            return limited.getInputStream().readAllBytes();
        } catch (BodyTooSlow e) {
            refuse(
                    request,
                    response,
                    HttpStatus.REQUEST_TIMEOUT,
                    "Request body too slow",
                    "The request body did not arrive within " + e.timeout().toSeconds() + " seconds.");
        } catch (PayloadTooLarge e) {
            refuse(
                    request,
                    response,
                    HttpStatus.CONTENT_TOO_LARGE,
                    "Request body too large",
                    "The request body is larger than the limit of " + e.limit() + " bytes.");
        } catch (BodyBudgetSpent e) {
            response.setHeader("Retry-After", Integer.toString(BUSY_RETRY_AFTER_SECONDS));
            refuse(request, response, HttpStatus.SERVICE_UNAVAILABLE, BUSY_TITLE, BUSY_DETAIL);
        } catch (IOException brokenOff) {
            AbandonedBodies.abandon(request);
            refuse(
                    request,
                    response,
                    HttpStatus.BAD_REQUEST,
                    "Request body unreadable",
                    "The request body could not be read to its end.");
        }
        return null;
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

    /** A problem document, before the body has been read: the connection closes rather than read it. */
    private void refuse(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setInstance(java.net.URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader("Connection", "close");
        json.writeValue(response.getOutputStream(), problem);
    }

    /**
     * What one request's body must keep to.
     *
     * @param share takes each piece of a chunked body as it arrives; null when the length was declared (and taken
     *     already) or the path's bodies are not counted
     */
    private record Body(
            long maxBytes, BodyBudget.Share share, Runnable refusedForBudget, Duration readTimeout, Runnable abandon) {}

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final Body body;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, Body body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), body);
            }
            return stream;
        }
    }

    private static final class LimitedInputStream extends ServletInputStream {
        private final ServletInputStream delegate;
        private final Body body;
        /** The body's deadline, from when its reading began: before that, nobody waits on its sender. */
        private final long deadlineNanos;

        private long read;

        LimitedInputStream(ServletInputStream delegate, Body body) {
            this.delegate = delegate;
            this.body = body;
            this.deadlineNanos = System.nanoTime() + body.readTimeout().toNanos();
        }

        @Override
        public int read() throws IOException {
            inTime();
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            inTime();
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > body.maxBytes()) {
                body.abandon().run();
                throw new PayloadTooLarge(body.maxBytes());
            }
            if (body.share() != null && !body.share().take(n)) {
                body.refusedForBudget().run();
                body.abandon().run(); // the rest is not wanted: Tomcat must not read it either
                throw new BodyBudgetSpent();
            }
            inTime();
        }

        /** A body still arriving after its deadline is refused; one read whole (or not read at all) is not. */
        private void inTime() throws BodyTooSlow {
            if (System.nanoTime() - deadlineNanos > 0 && !delegate.isFinished()) {
                body.abandon().run(); // the rest would arrive as slowly: Tomcat must not wait for it either
                throw new BodyTooSlow(body.readTimeout());
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
