package com.idexa.webhooks.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.HtmlElement;
import org.htmlunit.html.HtmlInput;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.html.HtmlSelect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The console's flows in HtmlUnit (a browser engine in Java, with the page's own JavaScript running): sign in, see a
 * delivery a real receiver got, send it again and see the new attempt, text from the API shown as text, sign out.
 */
class ConsoleTest extends DeliveryTestSupport {

    private static final String HOSTILE_ID = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";

    private TestReceiver receiver;
    private WebClient browser;
    private final List<String> confirmations = new ArrayList<>();

    @BeforeEach
    void start() {
        receiver = TestReceiver.start();
        // The browser's clock in UTC, like this JVM's, so times typed into the page mean what the test means.
        browser = new WebClient(new BrowserVersion.BrowserVersionBuilder(BrowserVersion.CHROME)
                .setSystemTimezone(java.util.TimeZone.getTimeZone("UTC"))
                .build());
        browser.getOptions().setFetchPolyfillEnabled(true); // HtmlUnit's engine has no fetch of its own
        browser.getOptions().setThrowExceptionOnScriptError(true);
        browser.getOptions().setCssEnabled(false);
        browser.setConfirmHandler((page, message) -> confirmations.add(message));
    }

    @AfterEach
    void stop() {
        browser.close();
        receiver.close();
    }

    @Test
    void aClientSignsInSeesItsDeliverySendsItAgainAndSeesTheNewAttempt() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        awaitStatus(client, deliver(client, "invoice-42"), "SUCCEEDED");

        HtmlPage page = signIn(client.apiKey());

        DomElement row = awaitElement(page, () -> rowOf(page, "invoice-42"));
        assertThat(row.asNormalizedText()).contains("SUCCEEDED");
        assertThat(page.getElementById("webhook-fields").asNormalizedText()).contains(receiver.url("/cb/:id"));
        ((HtmlElement) row.querySelector("button")).click();
        awaitText(page, "attempts", "HTTP 200");
        assertThat(page.getElementById("attempts").getChildElementCount()).isEqualTo(1);

        ((HtmlElement) page.getElementById("retry")).click();

        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(page.getElementById("attempts").getChildElementCount())
                        .isEqualTo(2));
        assertThat(confirmations).singleElement().asString().contains("again");
        assertThat(receiver.received()).hasSize(2);
    }

    @Test
    void textFromTheApiIsShownAsTextNeverRun() throws Exception {
        ClientService.IssuedKey client = newClient();
        receiver.byDefault(request -> TestReceiver.Reply.json(500, "<script>window.pwned=3</script>"));
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        TestHttp.Response reported =
                reportDocument(client, null, "{\"id\": \"" + HOSTILE_ID.replace("\"", "\\\"") + "\", \"status\": 1}");
        assertThat(reported.status()).as(reported.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.received().isEmpty());

        HtmlPage page = signIn(client.apiKey());
        DomElement row = awaitElement(page, () -> rowOf(page, HOSTILE_ID));
        ((HtmlElement) row.querySelector("button")).click();
        awaitText(page, "attempts", "<script>window.pwned=3</script>");

        assertThat(page.getElementById("deliveries").getElementsByTagName("script"))
                .isEmpty();
        assertThat(page.getElementById("deliveries").getElementsByTagName("img"))
                .isEmpty();
        assertThat(page.getElementById("attempts").getElementsByTagName("script"))
                .isEmpty();
        assertThat(page.executeJavaScript("typeof window.pwned").getJavaScriptResult())
                .isEqualTo("undefined");
    }

    @Test
    void signingOutForgetsTheKey() throws Exception {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        HtmlPage page = signIn(client.apiKey());
        assertThat(storedKey(page)).isEqualTo(client.apiKey());
        assertThat(browser.getCookieManager().getCookies()).isEmpty();

        ((HtmlElement) page.getElementById("sign-out")).click();

        assertThat(storedKey(page)).isNull();
        assertThat(page.getElementById("sign-in").hasAttribute("hidden")).isFalse();
        assertThat(page.getElementById("app").hasAttribute("hidden")).isTrue();
        assertThat(page.getElementById("deliveries").asNormalizedText()).doesNotContain("SUCCEEDED");
        HtmlPage reloaded = browser.getPage(page.getUrl());
        assertThat(reloaded.getElementById("app").hasAttribute("hidden")).isTrue();
    }

    @Test
    void aWrongKeyIsRefusedAndNotKept() throws Exception {
        HtmlPage page = signInWith("idx_wrong_key");

        awaitText(page, "sign-in-error", "not accepted");
        assertThat(storedKey(page)).isNull();
        assertThat(page.getElementById("app").hasAttribute("hidden")).isTrue();
    }

    @Test
    void theSecretIsShownOnlyWhenAskedFor() throws Exception {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String key = http().apiKey(client.apiKey())
                .get("/document_webhooks/" + webhookId + "/secret")
                .json()
                .get("key")
                .asString();
        HtmlPage page = signIn(client.apiKey());
        awaitText(page, "webhook-fields", webhookId);
        assertThat(page.asXml()).doesNotContain(key);

        ((HtmlElement) page.getElementById("show-secret")).click();

        awaitText(page, "secret-key", key);
    }

    @Test
    void aRotationTurnsEd25519SignaturesOnOrOffOnlyWhenAsked() throws Exception {
        ClientService.IssuedKey client = newClient();
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        HtmlPage page = signIn(client.apiKey());
        awaitText(page, "webhook-fields", webhookId);
        HtmlSelect signatures = (HtmlSelect) page.getElementById("rotate-signatures");

        signatures.setSelectedAttribute("v1a", true);
        ((HtmlElement) page.getElementById("rotate-secret")).click();
        awaitText(page, "secret-public-key", "whpk_");
        assertThat(publicKey(client, webhookId)).startsWith("whpk_");

        String withV1a = page.getElementById("secret-key").getTextContent();
        signatures.setSelectedAttribute("", true);
        ((HtmlElement) page.getElementById("rotate-secret")).click();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(page.getElementById("secret-key").getTextContent())
                                .as(page.getElementById("message").getTextContent() + " / " + confirmations)
                                .isNotEqualTo(withV1a));
        assertThat(publicKey(client, webhookId))
                .as("the same signatures: still v1a")
                .startsWith("whpk_");

        signatures.setSelectedAttribute("v1", true);
        ((HtmlElement) page.getElementById("rotate-secret")).click();
        awaitText(page, "secret-public-key", "(not sent)");
        assertThat(publicKey(client, webhookId)).isNull();
        assertThat(confirmations).hasSize(3);
    }

    private String publicKey(ClientService.IssuedKey client, String webhookId) {
        JsonNode publicKey = http().apiKey(client.apiKey())
                .get("/document_webhooks/" + webhookId + "/secret")
                .json()
                .get("publicKey");
        return publicKey.isNull() ? null : publicKey.asString();
    }

    @Test
    void aDisabledEndpointIsShownAndCanBeEnabled() throws Exception {
        ClientService.IssuedKey client = newClient();
        receiver.byDefault(request -> TestReceiver.Reply.status(410)); // Gone: disabled at once
        String webhookId = registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        awaitStatus(client, deliver(client, "gone-1"), "FAILED");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> http().apiKey(client.apiKey())
                        .get("/document_webhooks/" + webhookId + "/status")
                        .json()
                        .get("state")
                        .asString()
                        .equals("DISABLED"));

        HtmlPage page = signIn(client.apiKey());
        awaitText(page, "webhook-state", "DISABLED");
        ((HtmlElement) page.getElementById("enable")).click();

        awaitText(page, "webhook-state", "ACTIVE");
        assertThat(confirmations).singleElement().asString().contains("Enable");
        assertThat(http().apiKey(client.apiKey())
                        .get("/document_webhooks/" + webhookId + "/status")
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("ACTIVE");
    }

    @Test
    void aTimeRangeOfFailedDeliveriesIsRecovered() throws Exception {
        ClientService.IssuedKey client = newClient();
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        receiver.byDefault(request -> TestReceiver.Reply.status(down.get() ? 500 : 200));
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        String deliveryId = deliver(client, "recovered-1");
        awaitStatus(client, deliveryId, "FAILED");
        down.set(false);

        HtmlPage page = signIn(client.apiKey());
        String since = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)
                .minusHours(1)
                .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
                .toString();
        ((HtmlInput) page.getElementById("recover-since")).setValue(since);
        ((HtmlElement) page.querySelector("#recover button")).click();

        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(page.getElementById("message").getTextContent())
                        .as("confirmations %s", confirmations)
                        .contains("1 sent again"));
        awaitStatus(client, deliveryId, "SUCCEEDED");
        assertThat(confirmations).singleElement().asString().contains("failed deliveries");
    }

    @Test
    void thePageAllowsOnlyItsOwnFilesAndHasNoInlineCode() {
        for (String path : List.of("/console/", "/console/console.js", "/console/console.css")) {
            TestHttp.Response response = http().get(path);
            assertThat(response.status()).as(path).isEqualTo(200);
            String policy = response.header("Content-Security-Policy");
            assertThat(policy)
                    .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval", "http");
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        String html = http().get("/console/").body();
        assertThat(html).containsPattern("<script src=\"console.js\"").doesNotContainPattern("<script>|<script [^s]");
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContain("style=");
        assertThat(http().get("/console/console.js").body()).doesNotContain("innerHTML", "eval(", "document.write");
    }

    private HtmlPage signIn(String apiKey) throws Exception {
        HtmlPage page = signInWith(apiKey);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !page.getElementById("app").hasAttribute("hidden"));
        return page;
    }

    private HtmlPage signInWith(String apiKey) throws Exception {
        HtmlPage page = browser.getPage("http://localhost:" + port + "/console");
        assertThat(page.getUrl().getPath()).isEqualTo("/console/");
        ((HtmlInput) page.getElementById("api-key")).type(apiKey);
        ((HtmlElement) page.querySelector("#sign-in-form button")).click();
        return page;
    }

    private static String storedKey(HtmlPage page) {
        Object key = page.executeJavaScript("sessionStorage.getItem('document-webhooks.api-key')")
                .getJavaScriptResult();
        return key == null ? null : key.toString();
    }

    private static DomElement rowOf(HtmlPage page, String documentId) {
        for (DomElement cell : page.getElementById("deliveries").getElementsByTagName("td")) {
            if (cell.getAttribute("class").equals("document")
                    && cell.getTextContent().equals(documentId)) {
                return cell.getParentNode() instanceof DomElement parent ? parent : null;
            }
        }
        return null;
    }

    private static DomElement awaitElement(HtmlPage page, Supplier<DomElement> find) {
        // The page's scripts change the DOM on HtmlUnit's own thread meanwhile: a read that meets a change is retried.
        return await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(find::get, element -> element != null);
    }

    private static void awaitText(HtmlPage page, String id, String text) {
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(page.getElementById(id).getTextContent()).contains(text));
    }
}
