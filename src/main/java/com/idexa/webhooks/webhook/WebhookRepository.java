package com.idexa.webhooks.webhook;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.idexa.webhooks.signing.SigningKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhooks in PostgreSQL; seals {@link WebhookSecrets} on the way in and opens them on the way out. The signing
 * keys are sealed on their own, in {@code signing_keys} (see V6): everything else of the secrets in {@code secrets}.
 */
@Repository
class WebhookRepository {

    private static final String COLUMNS = "id, client_id, name, type, method, url, header_auth, authorization_url, "
            + "authorization_method, authorization_response_token_attr, secrets, signing_keys, created_at, updated_at, "
            + "revision";

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
        byte[] sealed = sealSecrets(webhook.id(), webhook.secrets());
        byte[] signingKeys = sealSigningKeys(webhook.id(), webhook.secrets().signingKeys());
        return jdbc.sql("INSERT INTO webhooks (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), 1) "
                        + "ON CONFLICT (client_id) DO NOTHING RETURNING created_at")
                .param(webhook.id())
                .param(webhook.clientId())
                .params(configuration(webhook))
                .param(sealed)
                .param(signingKeys)
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

    /** The client's webhook with this id, its row locked until the transaction ends. */
    Optional<Webhook> findByIdAndClientForUpdate(UUID id, UUID clientId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM webhooks WHERE id = ? AND client_id = ? FOR UPDATE")
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

    /** A replaced webhook's new times and revision. */
    record Replaced(OffsetDateTime updatedAt, int revision) {}

    /**
     * Replaces the whole configuration of the client's webhook (secrets included) if the row is still at
     * {@code expectedRevision}, and counts the change; the id, client and creation time stay.
     *
     * @return the new update time and revision; empty when the row is gone or at another revision
     */
    Optional<Replaced> replace(Webhook webhook, int expectedRevision) {
        byte[] sealed = sealSecrets(webhook.id(), webhook.secrets());
        byte[] signingKeys = sealSigningKeys(webhook.id(), webhook.secrets().signingKeys());
        return jdbc.sql("UPDATE webhooks SET name = ?, type = ?, method = ?, url = ?, header_auth = ?, "
                        + "authorization_url = ?, authorization_method = ?, authorization_response_token_attr = ?, "
                        + "secrets = ?, signing_keys = ?, updated_at = now(), revision = revision + 1 "
                        + "WHERE id = ? AND client_id = ? AND revision = ? RETURNING updated_at, revision")
                .params(configuration(webhook))
                .param(sealed)
                .param(signingKeys)
                .param(webhook.id())
                .param(webhook.clientId())
                .param(expectedRevision)
                .query((rs, row) ->
                        new Replaced(rs.getObject("updated_at", OffsetDateTime.class), rs.getInt("revision")))
                .optional();
    }

    /**
     * Replaces the webhook's signing keys if the row is still at {@code expectedRevision}, and counts the change.
     *
     * @return whether the row was at that revision (and is now at the next one)
     */
    boolean replaceSigningKeys(UUID id, int expectedRevision, List<SigningKey> keys) {
        return jdbc.sql("UPDATE webhooks SET signing_keys = ?, revision = revision + 1 WHERE id = ? AND revision = ?")
                        .params(sealSigningKeys(id, keys), id, expectedRevision)
                        .update()
                == 1;
    }

    /** A webhook's sealed columns as stored; {@code signingKeys} is {@code null} until its first key is made. */
    record SealedSecrets(UUID id, byte[] sealed, byte[] signingKeys) {}

    /** How many webhooks a key sealed secrets for; {@code keyId} as 8 hex digits. */
    record KeyUse(String keyId, long webhooks) {}

    /** Which keys sealed the stored secrets (either column); only boxes in the format with key ids count. */
    List<KeyUse> keysInUse() {
        return jdbc.sql("SELECT key_id, count(DISTINCT id) AS webhooks FROM ("
                        + " SELECT id, encode(substring(secrets from 2 for 4), 'hex') AS key_id FROM webhooks"
                        + " WHERE substring(secrets from 1 for 1) = decode('02', 'hex')"
                        + " UNION ALL"
                        + " SELECT id, encode(substring(signing_keys from 2 for 4), 'hex') FROM webhooks"
                        + " WHERE substring(signing_keys from 1 for 1) = decode('02', 'hex')"
                        + ") boxes GROUP BY 1 ORDER BY 1")
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
        return jdbc.sql("SELECT id, secrets, signing_keys FROM webhooks "
                        + "WHERE substring(secrets from 1 for 1) = decode('01', 'hex') ORDER BY id LIMIT ?")
                .param(limit)
                .query(WebhookRepository::mapSealed)
                .list();
    }

    /** Webhooks after {@code afterId} with a sealed column that does not start with {@code header}, in id order. */
    List<SealedSecrets> findNotStartingWith(byte[] header, UUID afterId, int limit) {
        return jdbc.sql("SELECT id, secrets, signing_keys FROM webhooks WHERE id > ? "
                        + "AND (substring(secrets from 1 for ?) <> ? OR substring(signing_keys from 1 for ?) <> ?) "
                        + "ORDER BY id LIMIT ?")
                .params(afterId, header.length, header, header.length, header, limit)
                .query(WebhookRepository::mapSealed)
                .list();
    }

    boolean opens(SealedSecrets stored) {
        try {
            secretBox.open(stored.sealed(), associatedData(stored.id()));
            if (stored.signingKeys() != null) {
                secretBox.open(stored.signingKeys(), signingKeysAssociatedData(stored.id()));
            }
            return true;
        } catch (SecretUnreadable e) {
            return false;
        }
    }

    /**
     * Seals the same secrets and signing keys again with the current key. The row is written only if it still holds
     * what was read, so a webhook deleted, changed, or re-sealed by another instance meanwhile is left as it is.
     *
     * @return whether the row was rewritten
     * @throws SecretUnreadable when no configured key opens what is stored
     */
    boolean reseal(SealedSecrets stored) {
        String associatedData = associatedData(stored.id());
        byte[] secrets = secretBox.seal(secretBox.open(stored.sealed(), associatedData), associatedData);
        byte[] signingKeys = null;
        if (stored.signingKeys() != null) {
            String keysData = signingKeysAssociatedData(stored.id());
            signingKeys = secretBox.seal(secretBox.open(stored.signingKeys(), keysData), keysData);
        }
        return jdbc.sql("UPDATE webhooks SET secrets = ?, signing_keys = ? "
                                + "WHERE id = ? AND secrets = ? AND signing_keys IS NOT DISTINCT FROM ?")
                        .params(secrets, signingKeys, stored.id(), stored.sealed(), stored.signingKeys())
                        .update()
                == 1;
    }

    private static SealedSecrets mapSealed(ResultSet rs, int row) throws SQLException {
        return new SealedSecrets(rs.getObject("id", UUID.class), rs.getBytes("secrets"), rs.getBytes("signing_keys"));
    }

    private Webhook map(ResultSet rs, int row) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        byte[] opened = secretBox.open(rs.getBytes("secrets"), associatedData(id));
        byte[] signingKeys = rs.getBytes("signing_keys");
        List<SigningKey> keys = signingKeys == null
                ? null
                : json.readValue(secretBox.open(signingKeys, signingKeysAssociatedData(id)), StoredSigningKeys.class)
                        .keys();
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
                json.readValue(opened, WebhookSecrets.class).withSigningKeys(keys),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("updated_at", OffsetDateTime.class),
                rs.getInt("revision"));
    }

    /** The columns a client configures, in the order of {@link #COLUMNS} from {@code name} on. */
    private static List<Object> configuration(Webhook webhook) {
        return Arrays.asList(
                webhook.name(),
                webhook.type(),
                webhook.method(),
                webhook.url(),
                webhook.headerAuth(),
                webhook.authorizationUrl(),
                webhook.authorizationMethod(),
                webhook.authorizationResponseTokenAttr());
    }

    private byte[] sealSecrets(UUID id, WebhookSecrets secrets) {
        return secretBox.seal(json.writeValueAsBytes(secrets), associatedData(id));
    }

    /** @return {@code null} for no keys (a webhook not yet given one) */
    private byte[] sealSigningKeys(UUID id, List<SigningKey> keys) {
        return keys == null
                ? null
                : secretBox.seal(json.writeValueAsBytes(new StoredSigningKeys(keys)), signingKeysAssociatedData(id));
    }

    /** The JSON document sealed in {@code signing_keys}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoredSigningKeys(List<SigningKey> keys) {}

    private static String associatedData(UUID webhookId) {
        return "webhooks.secrets:" + webhookId;
    }

    private static String signingKeysAssociatedData(UUID webhookId) {
        return "webhooks.signing_keys:" + webhookId;
    }
}
