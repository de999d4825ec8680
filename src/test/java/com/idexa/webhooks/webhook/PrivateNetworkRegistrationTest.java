package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.outbound.HostResolver;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

/** With the production setting, a webhook cannot point into our own network, nor at a host that is never public. */
// Its own dispatcher stays off: with this policy it would fail the other tests' loopback deliveries.
@TestPropertySource(properties = {"webhooks.outbound.allow-private-networks=false", "webhooks.delivery.enabled=false"})
class PrivateNetworkRegistrationTest extends IntegrationTest {

    /** Our internal DNS, as a client would probe it: a public-looking name that resolves to a private address. */
    @TestConfiguration
    static class InternalDns {

        @Bean
        @Primary
        HostResolver internalDns() {
            return host -> switch (host) {
                case "intranet.example.com" -> new InetAddress[] {InetAddress.getByName("10.1.2.3")};
                case "public.example.com" -> new InetAddress[] {InetAddress.getByName("93.184.216.34")};
                default -> HostResolver.SYSTEM.resolve(host);
            };
        }
    }

    private TestHttp.Response register(String json) {
        return http().apiKey(newClient().apiKey()).post("/document_webhooks", json);
    }

    private static String withUrl(String url) {
        return "{\"name\": \"n\", \"type\": 0, \"method\": \"POST\", \"url\": \"" + url + "\"}";
    }

    private static String withTokenUrl(String authorizationUrl) {
        return "{\"name\": \"n\", \"type\": 0, \"method\": \"POST\", \"url\": \"https://public.example.com/:id\", "
                + "\"authorizationUrl\": \"" + authorizationUrl + "\"}";
    }

    private static void assertRefused(TestHttp.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
        assertThat(response.json().get("errors").get(0).get("message").asString())
                .startsWith(field + " host is not allowed: ");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost:8080/cb/:id",
                "http://127.0.0.1/cb/:id",
                "http://169.254.169.254/latest/meta-data/:id",
                "http://10.0.0.5/:id",
                "http://[::1]/:id",
                "http://[::ffff:127.0.0.1]/:id",
                "https://192.168.0.1/:id",
                "http://100.64.1.1/:id",
                "http://[fd00::1]/:id",
                "http://0.0.0.0/:id"
            })
    void rejectsUrlsIntoPrivateNetworks(String url) {
        assertRefused(register(withUrl(url)), "url");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0x7f000001",
                "017700000001",
                "2130706433",
                "0177.0.0.1",
                "127.1",
                "localhost",
                "localhost.",
                "localhost.localdomain",
                "metadata",
                "metadata.google.internal",
                "vm",
                "api.internal",
                "printer.local",
                "app.localhost",
                "box.localdomain",
                "nas.home.arpa",
                "1.0.0.127.in-addr.arpa",
                "[fe80::1%25eth0]",
                "public.example.com."
            })
    void refusesHostsThatAreNeverPublicOrNotCanonicalNamingTheField(String host) {
        assertRefused(register(withUrl("http://" + host + "/cb/:id")), "url");
        assertRefused(register(withTokenUrl("http://" + host + "/token")), "authorizationUrl");
    }

    @Test
    void aRefusalNamesTheRuleNotWhatTheNameResolvesTo() {
        TestHttp.Response response = register(withUrl("https://intranet.example.com/:id"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("message").asString())
                .isEqualTo("url host is not allowed: it resolves to a loopback, private or reserved address");
        assertThat(response.body()).doesNotContain("10.1.2.3");
    }

    @Test
    void acceptsAPublicName() {
        assertThat(register(withUrl("https://public.example.com/:id")).status()).isEqualTo(200);
    }

    @Test
    void rejectsATokenEndpointInAPrivateNetwork() {
        assertRefused(register(withTokenUrl("http://169.254.169.254/token")), "authorizationUrl");
    }

    @Test
    void acceptsANameThatDoesNotResolveYetSinceConnectTimeChecksAgain() {
        TestHttp.Response response = register(withUrl("https://hooks.client.invalid/:id"));

        assertThat(response.status()).isEqualTo(200);
    }
}
