package com.idexa.webhooks;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.EncryptionKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@code ./mvnw spring-boot:test-run}: the service on an embedded PostgreSQL, for a newcomer with nothing but a
 * JDK. Everything it needs is made on first start and kept in the git-ignored {@code .local/} folder: the
 * database files, the encryption key, the admin and intake tokens, and a demo client whose API key is printed
 * with a walkthrough. It lives in the test sources so the production jar carries no database binaries.
 */
public class LocalDocumentWebhooksApplication {

    private static final Logger log = LoggerFactory.getLogger(LocalDocumentWebhooksApplication.class);
    private static final Path HOME = Path.of(".local");

    public static void main(String[] args) throws IOException {
        Properties state = loadState();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(HOME.resolve("postgres"))
                .setCleanDataDirectory(false)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }));
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--webhooks.encryption-key=" + state.getProperty("encryption-key"),
                "--webhooks.admin-token=" + state.getProperty("admin-token"),
                "--webhooks.internal-token=" + state.getProperty("internal-token"),
                "--webhooks.outbound.allow-private-networks=true"));
        arguments.addAll(List.of(args)); // the caller's arguments come last and win
        SpringApplication.from(DocumentWebhooksApplication::main)
                .with(DemoClient.class)
                .run(arguments.toArray(String[]::new));
    }

    private static Properties loadState() throws IOException {
        Files.createDirectories(HOME);
        Path file = HOME.resolve("local.properties");
        Properties state = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                state.load(reader);
            }
        }
        boolean changed = putIfAbsent(state, "encryption-key", EncryptionKeys.random());
        changed |= putIfAbsent(state, "admin-token", "adm_" + randomToken());
        changed |= putIfAbsent(state, "internal-token", "int_" + randomToken());
        if (changed) {
            try (Writer writer = Files.newBufferedWriter(file)) {
                state.store(
                        writer,
                        "Made by LocalDocumentWebhooksApplication for local runs only. Never use in production.");
            }
        }
        return state;
    }

    private static boolean putIfAbsent(Properties state, String key, String value) {
        return state.putIfAbsent(key, value) == null;
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Creates the demo client on first start and prints what the README's walkthrough needs. */
    @TestConfiguration(proxyBeanMethods = false)
    static class DemoClient {

        @Bean
        ApplicationRunner demoClient(ClientService clients, WebServerApplicationContext context) {
            return args -> {
                Path file = HOME.resolve("local.properties");
                Properties state = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    state.load(reader);
                }
                if (state.getProperty("demo-api-key") == null || clients.countClients() == 0) {
                    ClientService.IssuedKey demo = clients.registerClient("Demo client");
                    state.setProperty("demo-client-id", demo.clientId().toString());
                    state.setProperty("demo-api-key", demo.apiKey());
                    try (Writer writer = Files.newBufferedWriter(file)) {
                        state.store(
                                writer,
                                "Made by LocalDocumentWebhooksApplication for local runs only. Never use in production.");
                    }
                }
                int port = context.getWebServer().getPort();
                log.info(
                        """

                        ==== document-webhooks is running locally on http://localhost:{} ====
                        Everything below is for this machine only and is kept in .local/local.properties.
                          demo client id : {}
                          IDEXA-API-KEY  : {}
                          admin token    : {}
                          intake token   : {}
                        Try: curl -s -H 'IDEXA-API-KEY: {}' http://localhost:{}/document_webhooks
                        """,
                        port,
                        state.getProperty("demo-client-id"),
                        state.getProperty("demo-api-key"),
                        state.getProperty("admin-token"),
                        state.getProperty("internal-token"),
                        state.getProperty("demo-api-key"),
                        port);
            };
        }
    }
}
