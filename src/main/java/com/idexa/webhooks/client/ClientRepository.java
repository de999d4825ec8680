package com.idexa.webhooks.client;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Clients and API keys in PostgreSQL. */
@Repository
class ClientRepository {

    record StoredKey(UUID id, UUID clientId, byte[] hash) {}

    private final JdbcClient jdbc;

    ClientRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stored times are the database's: every row's time comes from {@code now()}. */
    void insertClient(UUID id, String name) {
        jdbc.sql("INSERT INTO clients (id, name, created_at) VALUES (?, ?, now())")
                .params(id, name)
                .update();
    }

    boolean clientExists(UUID id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    long countClients() {
        return jdbc.sql("SELECT count(*) FROM clients").query(Long.class).single();
    }

    /** @return when the key was created, by the database's clock */
    OffsetDateTime insertKey(UUID id, UUID clientId, String prefix, byte[] hash) {
        return jdbc.sql("INSERT INTO api_keys (id, client_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, now()) "
                        + "RETURNING created_at")
                .params(id, clientId, prefix, hash)
                .query(OffsetDateTime.class)
                .single();
    }

    Optional<StoredKey> findActiveKey(String prefix) {
        return jdbc.sql("SELECT id, client_id, key_hash FROM api_keys WHERE prefix = ? AND revoked_at IS NULL")
                .param(prefix)
                .query((rs, row) -> new StoredKey(
                        rs.getObject("id", UUID.class), rs.getObject("client_id", UUID.class), rs.getBytes("key_hash")))
                .optional();
    }

    /** @return whether a key with this id existed (revoking a revoked key again is not an error) */
    boolean revokeKey(UUID keyId) {
        int changed = jdbc.sql("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ?")
                .params(keyId)
                .update();
        return changed > 0;
    }
}
