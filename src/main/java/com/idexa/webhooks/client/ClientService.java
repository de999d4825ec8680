package com.idexa.webhooks.client;

import java.time.OffsetDateTime;
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

    ClientService(ClientRepository clients) {
        this.clients = clients;
    }

    /** Creates a client with its first API key. */
    @Transactional
    public IssuedKey registerClient(String name) {
        UUID clientId = UUID.randomUUID();
        clients.insertClient(clientId, name);
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
        if (!clients.revokeKey(keyId)) {
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
        OffsetDateTime createdAt = clients.insertKey(keyId, clientId, key.prefix(), key.hash());
        return new IssuedKey(clientId, keyId, key.key(), createdAt);
    }
}
