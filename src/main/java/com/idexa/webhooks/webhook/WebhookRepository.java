package com.idexa.webhooks.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Webhooks in PostgreSQL; seals {@link WebhookSecrets} on the way in and opens them on the way out. */
@Repository
class WebhookRepository {

    private static final String COLUMNS = "id, client_id, name, type, method, url, header_auth, authorization_url, "
            + "authorization_method, authorization_response_token_attr, secrets, created_at, updated_at, revision";

    private final JdbcClient jdbc;
    private final SecretBox secretBox;
    private final JsonMapper json;

    WebhookRepository(JdbcClient jdbc, SecretBox secretBox, JsonMapper json) {
        this.jdbc = jdbc;
        this.secretBox = secretBox;
        this.json = json;
    }

    /**
     * Inserts the webhook with the database's time as its creation time.
     *
     * @return that time; empty when the client already has a webhook (nothing was inserted)
     */
    Optional<OffsetDateTime> insertIfClientHasNone(Webhook webhook) {
        byte[] sealed = secretBox.seal(json.writeValueAsBytes(webhook.secrets()), associatedData(webhook.id()));
        return jdbc.sql("INSERT INTO webhooks (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), 1) "
                        + "ON CONFLICT (client_id) DO NOTHING RETURNING created_at")
                .params(
                        webhook.id(),
                        webhook.clientId(),
                        webhook.name(),
                        webhook.type(),
                        webhook.method(),
                        webhook.url(),
                        webhook.headerAuth(),
                        webhook.authorizationUrl(),
                        webhook.authorizationMethod(),
                        webhook.authorizationResponseTokenAttr(),
                        sealed)
                .query(OffsetDateTime.class)
                .optional();
    }

    Optional<Webhook> findByClient(UUID clientId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM webhooks WHERE client_id = ?")
                .param(clientId)
                .query(this::map)
                .optional();
    }

    Optional<Webhook> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM webhooks WHERE id = ?")
                .param(id)
                .query(this::map)
                .optional();
    }

    Optional<Webhook> findByIdAndClient(UUID id, UUID clientId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM webhooks WHERE id = ? AND client_id = ?")
                .params(id, clientId)
                .query(this::map)
                .optional();
    }

    Optional<UUID> findIdByClient(UUID clientId) {
        return jdbc.sql("SELECT id FROM webhooks WHERE client_id = ?")
                .param(clientId)
                .query(UUID.class)
                .optional();
    }

    /** @return the id of the client's webhook, if it had one to delete */
    Optional<UUID> deleteByClient(UUID clientId) {
        return jdbc.sql("DELETE FROM webhooks WHERE client_id = ? RETURNING id")
                .param(clientId)
                .query(UUID.class)
                .optional();
    }

    boolean deleteByIdAndClient(UUID id, UUID clientId) {
        return jdbc.sql("DELETE FROM webhooks WHERE id = ? AND client_id = ?")
                        .params(id, clientId)
                        .update()
                == 1;
    }

    /**
     * Replaces the webhook's secrets if the row is still at {@code expectedRevision}, and counts the change.
     *
     * @return whether the row was at that revision (and is now at the next one)
     */
    boolean replaceSecrets(UUID id, int expectedRevision, WebhookSecrets secrets) {
        byte[] sealed = secretBox.seal(json.writeValueAsBytes(secrets), associatedData(id));
        return jdbc.sql("UPDATE webhooks SET secrets = ?, revision = revision + 1 WHERE id = ? AND revision = ?")
                        .params(sealed, id, expectedRevision)
                        .update()
                == 1;
    }

    /** A webhook's secrets as stored, sealed. */
    record SealedSecrets(UUID id, byte[] sealed) {}

    /** How many webhooks a key sealed secrets for; {@code keyId} as 8 hex digits. */
    record KeyUse(String keyId, long webhooks) {}

    /** Which keys sealed the stored secrets; only secrets sealed in the format with key ids count. */
    List<KeyUse> keysInUse() {
        return jdbc.sql("SELECT encode(substring(secrets from 2 for 4), 'hex') AS key_id, count(*) AS webhooks "
                        + "FROM webhooks WHERE substring(secrets from 1 for 1) = decode('02', 'hex') "
                        + "GROUP BY 1 ORDER BY 1")
                .query((rs, row) -> new KeyUse(rs.getString("key_id"), rs.getLong("webhooks")))
                .list();
    }

    /** How many webhooks have secrets sealed before key ids were recorded (format version 1). */
    long countSealedWithoutKeyId() {
        return jdbc.sql("SELECT count(*) FROM webhooks WHERE substring(secrets from 1 for 1) = decode('01', 'hex')")
                .query(Long.class)
                .single();
    }

    List<SealedSecrets> findSealedWithoutKeyId(int limit) {
        return jdbc.sql("SELECT id, secrets FROM webhooks WHERE substring(secrets from 1 for 1) = decode('01', 'hex') "
                        + "ORDER BY id LIMIT ?")
                .param(limit)
                .query(WebhookRepository::mapSealed)
                .list();
    }

    /** Webhooks after {@code afterId} whose secrets do not start with {@code header}, in id order. */
    List<SealedSecrets> findNotStartingWith(byte[] header, UUID afterId, int limit) {
        return jdbc.sql("SELECT id, secrets FROM webhooks WHERE id > ? AND substring(secrets from 1 for ?) <> ? "
                        + "ORDER BY id LIMIT ?")
                .params(afterId, header.length, header, limit)
                .query(WebhookRepository::mapSealed)
                .list();
    }

    boolean opens(SealedSecrets stored) {
        try {
            secretBox.open(stored.sealed(), associatedData(stored.id()));
            return true;
        } catch (SecretUnreadable e) {
            return false;
        }
    }

    /**
     * Seals the same secrets again with the current key. The row is written only if it still holds what was read,
     * so a webhook deleted, or re-sealed by another instance, meanwhile is left as it is.
     *
     * @return whether the row was rewritten
     * @throws SecretUnreadable when no configured key opens the stored secrets
     */
    boolean reseal(SealedSecrets stored) {
        String associatedData = associatedData(stored.id());
        byte[] resealed = secretBox.seal(secretBox.open(stored.sealed(), associatedData), associatedData);
        return jdbc.sql("UPDATE webhooks SET secrets = ? WHERE id = ? AND secrets = ?")
                        .params(resealed, stored.id(), stored.sealed())
                        .update()
                == 1;
    }

    private static SealedSecrets mapSealed(ResultSet rs, int row) throws SQLException {
        return new SealedSecrets(rs.getObject("id", UUID.class), rs.getBytes("secrets"));
    }

    private Webhook map(ResultSet rs, int row) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        byte[] opened = secretBox.open(rs.getBytes("secrets"), associatedData(id));
        return new Webhook(
                id,
                rs.getObject("client_id", UUID.class),
                rs.getString("name"),
                rs.getInt("type"),
                rs.getString("method"),
                rs.getString("url"),
                rs.getString("header_auth"),
                rs.getString("authorization_url"),
                rs.getString("authorization_method"),
                rs.getString("authorization_response_token_attr"),
                json.readValue(opened, WebhookSecrets.class),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class),
                rs.getInt("revision"));
    }

    private static String associatedData(UUID webhookId) {
        return "webhooks.secrets:" + webhookId;
    }
}
