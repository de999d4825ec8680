package com.idexa.webhooks.client;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers clients, issues and revokes their API keys, and recognises a key on a request. */
@Service
public class ClientService {

    /** A key as shown once, at creation; only its hash is kept. */
    public record IssuedKey(UUID clientId, UUID keyId, String apiKey, OffsetDateTime createdAt) {}

    private final ClientRepository clients;
    private final Clock clock;

    ClientService(ClientRepository clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /** Creates a client with its first API key. */
    @Transactional
    public IssuedKey registerClient(String name) {
        UUID clientId = UUID.randomUUID();
        clients.insertClient(clientId, name, now());
        return issueKey(clientId);
    }

    @Transactional
    public IssuedKey issueApiKey(UUID clientId) {
        if (!clients.clientExists(clientId)) {
            throw new ClientNotFound(clientId);
        }
        return issueKey(clientId);
    }

    @Transactional
    public void revokeApiKey(UUID keyId) {
        if (!clients.revokeKey(keyId, now())) {
            throw new ApiKeyNotFound(keyId);
        }
    }

    @Transactional(readOnly = true)
    public boolean clientExists(UUID clientId) {
        return clients.clientExists(clientId);
    }

    @Transactional(readOnly = true)
    public long countClients() {
        return clients.countClients();
    }

    /** @return the client owning this key, if the key is well-formed, known and not revoked */
    @Transactional(readOnly = true)
    public Optional<AuthenticatedClient> authenticate(String apiKey) {
        String prefix = ApiKeys.prefixOf(apiKey);
        if (prefix == null) {
            return Optional.empty();
        }
        return clients.findActiveKey(prefix)
                .filter(stored -> ApiKeys.matches(apiKey, stored.hash()))
                .map(stored -> new AuthenticatedClient(stored.clientId(), stored.id()));
    }

    private IssuedKey issueKey(UUID clientId) {
        ApiKeys.NewKey key = ApiKeys.generate();
        UUID keyId = UUID.randomUUID();
        OffsetDateTime createdAt = now();
        clients.insertKey(keyId, clientId, key.prefix(), key.hash(), createdAt);
        return new IssuedKey(clientId, keyId, key.key(), createdAt);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
