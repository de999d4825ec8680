package com.idexa.webhooks.support;

import com.idexa.webhooks.client.ClientService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the end-to-end tests: the whole service on a random port, over a real PostgreSQL
 * ({@link TestDatabase}), called through real HTTP ({@link TestHttp}). Outbound calls to loopback are allowed
 * here, since the stand-in receivers listen there; the network policy has tests of its own.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "webhooks.admin-token=" + IntegrationTest.ADMIN_TOKEN,
            "webhooks.internal-token=" + IntegrationTest.INTERNAL_TOKEN,
            "webhooks.encryption-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "webhooks.outbound.allow-private-networks=true",
            "webhooks.outbound.connect-timeout=1s",
            "webhooks.outbound.request-timeout=2s",
            "webhooks.delivery.retry-delays=200ms,200ms,200ms",
            "webhooks.delivery.jitter=0",
            "webhooks.delivery.poll-interval=100ms",
            "webhooks.delivery.lease=10s",
            "webhooks.delivery.heartbeat-interval=1s",
            "webhooks.delivery.shutdown-grace=1s",
            // Slow endpoints in tests are slow on purpose; SlowEndpointsTest covers the rule itself.
            "webhooks.delivery.slow-after=1m"
        })
public abstract class IntegrationTest {

    public static final String ADMIN_TOKEN = "test-admin-token";
    public static final String INTERNAL_TOKEN = "test-internal-token";

    @LocalServerPort
    protected int port;

    @Autowired
    protected ClientService clients;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.Connection database = TestDatabase.get();
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::username);
        registry.add("spring.datasource.password", database::password);
    }

    protected TestHttp http() {
        return new TestHttp("http://localhost:" + port);
    }

    /** A new client with its API key, so every test works on data of its own. */
    protected ClientService.IssuedKey newClient() {
        return clients.registerClient("Test client");
    }
}
