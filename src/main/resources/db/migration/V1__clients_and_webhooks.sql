-- Clients of the platform and their API keys. A key is stored only as its SHA-256 hash, found by a short
-- non-secret prefix.
CREATE TABLE clients (
    id         uuid PRIMARY KEY,
    name       varchar(255) NOT NULL,
    created_at timestamptz  NOT NULL
);

CREATE TABLE api_keys (
    id         uuid PRIMARY KEY,
    client_id  uuid         NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    prefix     varchar(32)  NOT NULL UNIQUE,
    key_hash   bytea        NOT NULL,
    created_at timestamptz  NOT NULL,
    revoked_at timestamptz
);

CREATE INDEX api_keys_client_id ON api_keys (client_id);

-- One webhook per client (the unique client_id settles concurrent registrations). Everything that can carry a
-- credential (authorization, header values, authorization headers and body) is in `secrets`, sealed with
-- AES-256-GCM under webhooks.encryption-key with the row id as associated data.
CREATE TABLE webhooks (
    id                                uuid PRIMARY KEY,
    client_id                         uuid         NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE,
    name                              varchar(255) NOT NULL,
    type                              smallint     NOT NULL,
    method                            varchar(8)   NOT NULL,
    url                               text         NOT NULL,
    header_auth                       varchar(64),
    authorization_url                 text,
    authorization_method              varchar(8),
    authorization_response_token_attr varchar(255),
    secrets                           bytea        NOT NULL,
    created_at                        timestamptz  NOT NULL,
    updated_at                        timestamptz  NOT NULL
);
