package com.idexa.webhooks.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class WebhookApiTest extends IntegrationTest {

    static final String DOCS_EXAMPLE = """
            {
              "name": "Webhook 1",
              "type": 0,
              "method": "POST",
              "headers": {"Content-Type": "application/json"},
              "headerAuth": "Bearer",
              "url": "http://localhost:5000/ocr_feedback/:id",
              "authorizationUrl": "http://localhost:5000/login",
              "authorizationMethod": "POST",
              "authorizationHeaders": {"Content-Type": "application/x-www-form-urlencoded"},
              "authorizationBody": {"username": "root", "password": "root"},
              "authorizationResponseTokenAttr": "access_token"
            }
            """;

    static final String FIXED_AUTH = """
            {
              "name": "Fixed",
              "type": 0,
              "method": "put",
              "headers": {"Content-Type": "application/json", "X-Api-Key": "k-123456789", "Cookie": "session=abc"},
              "url": "https://hooks.client.test/documents/:id",
              "authorization": "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI-fixed-secret"
            }
            """;

    @Autowired
    JdbcClient jdbc;

    @Test
    void registersTheDocumentationExampleAndReturnsItsObject() {
        ClientService.IssuedKey client = newClient();
        TestHttp.Response created = http().apiKey(client.apiKey()).post("/document_webhooks", DOCS_EXAMPLE);

        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode body = created.json();
        assertThat(body.propertyNames())
                .containsExactly(
                        "id",
                        "clientId",
                        "name",
                        "type",
                        "method",
                        "headers",
                        "headerAuth",
                        "url",
                        "authorization",
                        "authorizationUrl",
                        "authorizationMethod",
                        "authorizationHeaders",
                        "authorizationResponseTokenAttr",
                        "createdAt",
                        "updatedAt");
        assertThat(body.get("clientId").asString()).isEqualTo(client.clientId().toString());
        assertThat(body.get("name").asString()).isEqualTo("Webhook 1");
        assertThat(body.get("type").asInt()).isZero();
        assertThat(body.get("method").asString()).isEqualTo("POST");
        assertThat(body.get("headers").get("Content-Type").asString()).isEqualTo("application/json");
        assertThat(body.get("headerAuth").asString()).isEqualTo("Bearer");
        assertThat(body.get("url").asString()).isEqualTo("http://localhost:5000/ocr_feedback/:id");
        assertThat(body.get("authorization").isNull()).isTrue();
        assertThat(body.get("authorizationUrl").asString()).isEqualTo("http://localhost:5000/login");
        assertThat(body.get("authorizationMethod").asString()).isEqualTo("POST");
        assertThat(body.get("authorizationHeaders").get("Content-Type").asString())
                .isEqualTo("application/x-www-form-urlencoded");
        assertThat(body.get("authorizationResponseTokenAttr").asString()).isEqualTo("access_token");
        assertThat(body.get("createdAt").asString())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}[+-]\\d\\d:\\d\\d");
        assertThat(body.get("updatedAt").asString())
                .isEqualTo(body.get("createdAt").asString());
        assertThat(created.body()).doesNotContain("authorizationBody").doesNotContain("\"root\"");
    }

    @Test
    void readsBackAndDeletesTheWebhook() {
        TestHttp api = http().apiKey(newClient().apiKey());
        JsonNode created = api.post("/document_webhooks", DOCS_EXAMPLE).json();
        String id = created.get("id").asString();

        assertThat(api.get("/document_webhooks").json()).isEqualTo(created);
        assertThat(api.get("/document_webhooks/" + id).json()).isEqualTo(created);

        assertThat(api.delete("/document_webhooks/" + id).status()).isEqualTo(204);
        assertThat(api.get("/document_webhooks/" + id).status()).isEqualTo(404);
        assertThat(api.get("/document_webhooks").status()).isEqualTo(404);
        assertThat(api.delete("/document_webhooks/" + id).status()).isEqualTo(404);
    }

    @Test
    void deletesTheCurrentWebhookWithoutItsId() {
        TestHttp api = http().apiKey(newClient().apiKey());
        assertThat(api.delete("/document_webhooks").status()).isEqualTo(404);
        api.post("/document_webhooks", DOCS_EXAMPLE);

        assertThat(api.delete("/document_webhooks").status()).isEqualTo(204);
        assertThat(api.post("/document_webhooks", FIXED_AUTH).status()).isEqualTo(200);
    }

    @Test
    void rejectsSecondWebhookForSameClientNamingTheExistingOne() {
        TestHttp api = http().apiKey(newClient().apiKey());
        String existing =
                api.post("/document_webhooks", DOCS_EXAMPLE).json().get("id").asString();

        TestHttp.Response second = api.post("/document_webhooks", FIXED_AUTH);

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.contentType()).isEqualTo("application/problem+json");
        assertThat(second.json().get("existingWebhookId").asString()).isEqualTo(existing);
        assertThat(second.json().get("detail").asString())
                .contains("PUT /document_webhooks/" + existing)
                .contains("DELETE /document_webhooks/" + existing);
    }

    @Test
    void concurrentRegistrationsLetExactlyOneWin() throws Exception {
        TestHttp api = http().apiKey(newClient().apiKey());
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(() -> {
                start.await();
                return api.post("/document_webhooks", DOCS_EXAMPLE).status();
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            calls.forEach(call -> futures.add(pool.submit(call)));
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get());
            }
            assertThat(statuses).containsOnly(200, 409);
            assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherClientsWebhookIsNotFound() {
        TestHttp owner = http().apiKey(newClient().apiKey());
        String id =
                owner.post("/document_webhooks", DOCS_EXAMPLE).json().get("id").asString();
        TestHttp stranger = http().apiKey(newClient().apiKey());

        TestHttp.Response read = stranger.get("/document_webhooks/" + id);
        TestHttp.Response delete = stranger.delete("/document_webhooks/" + id);

        assertThat(read.status()).isEqualTo(404);
        assertThat(delete.status()).isEqualTo(404);
        String missing = "00000000-0000-0000-0000-000000000000";
        String detailForMissing =
                owner.get("/document_webhooks/" + missing).json().get("detail").asString();
        assertThat(read.json().get("detail").asString()).isEqualTo(detailForMissing.replace(missing, id));
        assertThat(owner.get("/document_webhooks/" + id).status()).isEqualTo(200);
    }

    @Test
    void masksCredentialsInEveryResponse() {
        TestHttp api = http().apiKey(newClient().apiKey());
        TestHttp.Response created = api.post("/document_webhooks", FIXED_AUTH);

        assertThat(created.status()).as(created.body()).isEqualTo(200);
        for (TestHttp.Response response : List.of(created, api.get("/document_webhooks"))) {
            JsonNode body = response.json();
            assertThat(body.get("method").asString()).isEqualTo("PUT");
            assertThat(body.get("authorization").asString()).isEqualTo("Bearer ****");
            assertThat(body.get("headers").get("X-Api-Key").asString()).isEqualTo("****");
            assertThat(body.get("headers").get("Cookie").asString()).isEqualTo("****");
            assertThat(body.get("headers").get("Content-Type").asString()).isEqualTo("application/json");
            assertThat(response.body())
                    .doesNotContain("fixed-secret")
                    .doesNotContain("k-123456789")
                    .doesNotContain("session=abc");
        }
    }

    @Test
    void secretsAreNowhereInTheDatabaseInPlaintext() {
        ClientService.IssuedKey client = newClient();
        String body = DOCS_EXAMPLE.replace("\"password\": \"root\"", "\"password\": \"pw-Zebra-4711\"");
        assertThat(http().apiKey(client.apiKey())
                        .post("/document_webhooks", body)
                        .status())
                .isEqualTo(200);
        TestHttp other = http().apiKey(newClient().apiKey());
        assertThat(other.post("/document_webhooks", FIXED_AUTH).status()).isEqualTo(200);

        String everything = jdbc.sql("""
                        SELECT coalesce(string_agg(t::text, ' '), '') FROM (
                            SELECT w::text AS t FROM webhooks w
                            UNION ALL SELECT c::text FROM clients c
                            UNION ALL SELECT k::text FROM api_keys k) dump""").query(String.class).single();
        for (String secret : List.of("pw-Zebra-4711", "fixed-secret", "k-123456789", "session=abc", client.apiKey())) {
            assertThat(everything).doesNotContain(secret).doesNotContain(hex(secret));
        }
        assertThat(everything).contains(client.clientId().toString());
    }

    @Test
    void acceptsTheOlderEditionsHeaderAndPath() {
        String key = newClient().apiKey();
        TestHttp.Response created =
                http().header("X-API-KEY", key).post("/api_document/document_webhooks", DOCS_EXAMPLE);

        assertThat(created.status()).isEqualTo(200);
        assertThat(http().apiKey(key).get("/document_webhooks").json()).isEqualTo(created.json());
    }

    @Test
    void refusesMissingUnknownAndRevokedKeys() {
        ClientService.IssuedKey client = newClient();
        assertThat(http().get("/document_webhooks").status()).isEqualTo(401);
        assertThat(http().apiKey("idx_aaaaaaaaaa_not-a-real-key")
                        .get("/document_webhooks")
                        .status())
                .isEqualTo(401);
        assertThat(http().apiKey("garbage")
                        .post("/document_webhooks", DOCS_EXAMPLE)
                        .status())
                .isEqualTo(401);
        assertThat(http().apiKey(client.apiKey()).get("/document_webhooks").status())
                .isEqualTo(404);

        clients.revokeApiKey(client.keyId());

        TestHttp.Response revoked = http().apiKey(client.apiKey()).get("/document_webhooks");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.contentType()).isEqualTo("application/problem+json");
        assertThat(revoked.header("WWW-Authenticate")).contains("IDEXA-API-KEY");
    }

    private static String hex(String text) {
        StringBuilder hex = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
