-- A document-finished event as the platform reported it. event_key is the platform's eventId (or the event's
-- own id when none was given); it makes intake idempotent per client.
CREATE TABLE events (
    id          uuid PRIMARY KEY,
    client_id   uuid         NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    event_key   varchar(200) NOT NULL,
    type        smallint     NOT NULL,
    document_id varchar(255) NOT NULL,
    document    json         NOT NULL, -- json, not jsonb: the client receives the document as the platform wrote it
    is_test     boolean      NOT NULL DEFAULT false,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT events_client_event_key UNIQUE (client_id, event_key)
);

CREATE INDEX events_created_at ON events (created_at);

-- The delivery row is the job. State machine:
--   PENDING --2xx--> SUCCEEDED
--   PENDING --failure, retries left--> PENDING (next_attempt_at = now() + backoff)
--   PENDING --failure, none left / 410--> FAILED
--   PENDING --no webhook at attempt time--> CANCELLED
--   SUCCEEDED | FAILED | CANCELLED --manual retry--> PENDING (a fresh retry schedule)
-- A worker claims a due row by moving next_attempt_at forward by the lease and stamping lease_token; if it
-- dies, the row falls due again when the lease runs out. Outcomes are recorded only under the same token.
CREATE TABLE deliveries (
    id                uuid PRIMARY KEY,
    event_id          uuid         NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    client_id         uuid         NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    document_id       varchar(255) NOT NULL,
    status            varchar(16)  NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    attempt_count     integer      NOT NULL DEFAULT 0,
    schedule_failures integer      NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    lease_token       uuid,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    finished_at       timestamptz
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX deliveries_client_log ON deliveries (client_id, created_at DESC, id DESC);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE status <> 'PENDING';

-- One row per HTTP attempt, for the client's delivery log. No request headers or bodies are kept: they may
-- carry credentials. response_body is truncated to webhooks.outbound.max-response-body.
CREATE TABLE delivery_attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   uuid        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at  timestamptz NOT NULL,
    duration_ms   integer     NOT NULL,
    method        varchar(8),
    url           text,
    status_code   integer,
    error         text,
    response_body text
);

CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
