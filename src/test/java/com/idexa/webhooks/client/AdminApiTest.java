package com.idexa.webhooks.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.support.IntegrationTest;
import com.idexa.webhooks.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class AdminApiTest extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    private TestHttp admin() {
        return http().bearer(ADMIN_TOKEN);
    }

    @Test
    void createsAClientWhoseKeyWorksAtOnce() {
        TestHttp.Response created = admin().post("/admin/clients", "{\"name\": \"Acme\"}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.propertyNames()).containsExactly("clientId", "name", "apiKey", "createdAt");
        assertThat(body.get("name").asString()).isEqualTo("Acme");
        String apiKey = body.get("apiKey").asString();
        assertThat(apiKey).startsWith("idx_").hasSizeGreaterThan(40);
        assertThat(http().apiKey(apiKey).get("/document_webhooks").status()).isEqualTo(404);
    }

    @Test
    void aKeyShownOnceIsNeverCachedNorMadeWhenTheAnswerCouldNotBeRead() {
        TestHttp.Response created = admin().post("/admin/clients", "{\"name\": \"Cached\"}");
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");

        TestHttp.Response html =
                admin().header("Accept", "text/html").post("/admin/clients", "{\"name\": \"Unreadable answer\"}");

        assertThat(html.status()).isEqualTo(406);
        assertThat(jdbc.sql("SELECT count(*) FROM clients WHERE name = 'Unreadable answer'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void storesOnlyAHashOfTheKey() {
        String apiKey = admin().post("/admin/clients", "{\"name\": \"Hashed\"}")
                .json()
                .get("apiKey")
                .asString();

        String rows = jdbc.sql("SELECT string_agg(k::text, ' ') FROM api_keys k")
                .query(String.class)
                .single();
        assertThat(rows).doesNotContain(apiKey).doesNotContain(apiKey.substring(16));
    }

    @Test
    void issuesMoreKeysAndRevokesOneAtOnce() {
        JsonNode client =
                admin().post("/admin/clients", "{\"name\": \"Rotating\"}").json();
        String first = client.get("apiKey").asString();

        TestHttp.Response second =
                admin().post("/admin/clients/" + client.get("clientId").asString() + "/api_keys", null);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json().propertyNames()).containsExactly("keyId", "apiKey", "createdAt");
        String secondKey = second.json().get("apiKey").asString();

        assertThat(admin().delete(
                                "/admin/api_keys/" + second.json().get("keyId").asString())
                        .status())
                .isEqualTo(204);

        assertThat(http().apiKey(secondKey).get("/document_webhooks").status()).isEqualTo(401);
        assertThat(http().apiKey(first).get("/document_webhooks").status()).isEqualTo(404);
    }

    @Test
    void unknownClientOrKeyIsNotFound() {
        String missing = "00000000-0000-0000-0000-000000000001";
        assertThat(admin().post("/admin/clients/" + missing + "/api_keys", null).status())
                .isEqualTo(404);
        assertThat(admin().delete("/admin/api_keys/" + missing).status()).isEqualTo(404);
    }

    @Test
    void refusesRequestsWithoutTheAdminToken() {
        assertThat(http().post("/admin/clients", "{\"name\": \"x\"}").status()).isEqualTo(401);
        assertThat(http().bearer("wrong")
                        .post("/admin/clients", "{\"name\": \"x\"}")
                        .status())
                .isEqualTo(401);
        assertThat(http().bearer(INTERNAL_TOKEN)
                        .post("/admin/clients", "{\"name\": \"x\"}")
                        .status())
                .isEqualTo(401);
        String apiKey = newClient().apiKey();
        TestHttp.Response withApiKey = http().apiKey(apiKey).post("/admin/clients", "{\"name\": \"x\"}");
        assertThat(withApiKey.status()).isEqualTo(401);
        assertThat(withApiKey.contentType()).isEqualTo("application/problem+json");
    }

    @Test
    void validatesTheClientName() {
        TestHttp.Response response = admin().post("/admin/clients", "{\"name\": \" \"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("name");
    }
}
