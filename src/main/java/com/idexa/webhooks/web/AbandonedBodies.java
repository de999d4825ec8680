package com.idexa.webhooks.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Stops Tomcat from reading the rest of a request body the service gave up on ({@link #abandon}): once the answer
 * is written, the connection closes. Otherwise Tomcat reads up to 2 MB of what is left, at the sender's pace, on
 * the request's thread, before it closes the connection: a body refused for arriving too slowly ({@link
 * BodyTooSlow}) would hold the thread as long as before. Tomcat does the same for uploads it refuses itself
 * ({@code ActionCode.DISABLE_SWALLOW_INPUT}); a valve is where the service can reach it.
 */
class AbandonedBodies implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    private static final String ABANDONED = AbandonedBodies.class.getName();

    /** The rest of this request's body will not be read. */
    static void abandon(ServletRequest request) {
        request.setAttribute(ABANDONED, Boolean.TRUE);
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addContextCustomizers(context -> context.getPipeline().addValve(new Valve()));
    }

    private static final class Valve extends ValveBase {

        Valve() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            getNext().invoke(request, response);
            if (request.getAttribute(ABANDONED) != null) {
                request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
            }
        }
    }
}
