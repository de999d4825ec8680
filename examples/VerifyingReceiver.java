// A receiver that verifies document-webhooks deliveries with the Standard Webhooks reference library.
//
//   curl -sO https://repo1.maven.org/maven2/com/standardwebhooks/standardwebhooks/1.2.0/standardwebhooks-1.2.0.jar
//   java -cp standardwebhooks-1.2.0.jar examples/VerifyingReceiver.java 5000 whsec_...   # the key from GET .../secret
//
// It listens on the port, verifies every request (signature and a 5-minute timestamp tolerance), prints what it
// received, and answers 204 when the request verifies, 400 when it does not.
import com.sun.net.httpserver.HttpServer;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public class VerifyingReceiver {
    public static void main(String[] args) throws Exception {
        Webhook verifier = new Webhook(args[1]); // the whsec_ secret
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 0);
        server.createContext("/", exchange -> {
            // Verify the raw body as received: parse the JSON only after it verified.
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            try {
                verifier.verify(body, exchange.getRequestHeaders()); // webhook-id, -timestamp, -signature
                status = 204;
            } catch (WebhookVerificationException e) {
                status = 400;
            }
            System.out.printf("%s %s -> %d%n", exchange.getRequestMethod(), exchange.getRequestURI(), status);
            exchange.getRequestHeaders().forEach((name, values) -> System.out.println(
                    "  " + name + ": " + (name.equalsIgnoreCase("Authorization") ? "[hidden]" : values)));
            System.out.println("  body: " + body);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        System.out.println("verifying deliveries on port " + args[0]);
    }
}
