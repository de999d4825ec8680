-- An endpoint's health and the client's bounds on what it receives: one row per webhook, made with it (a trigger,
-- below, so every way of making a webhook makes it).
--
-- A table of its own rather than columns on webhooks: the outcome recorder rewrites it after every batch of
-- attempts, and a webhook row (sealed secrets and all) is read on every claim and cached as immutable; a narrow
-- row keeps that churn small and leaves webhooks as they are. It goes with its webhook (ON DELETE CASCADE): a new
-- webhook starts ACTIVE, unbounded.
--
-- State: ACTIVE --no success for webhooks.endpoint.disable-after, with at least
-- webhooks.endpoint.disable-min-failures failed attempts, or a 410 Gone--> DISABLED --POST .../enable--> ACTIVE.
-- While DISABLED the client's deliveries are created and stay PENDING in the queue but no claim takes them (the
-- delivery log shows them as HELD): no attempt, no retry spent.
CREATE TABLE endpoint_health (
    webhook_id           uuid        PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
    client_id            uuid        NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE,
    state                varchar(16) NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'DISABLED')),
    disabled_at          timestamptz,
    reason               text,
    last_success_at      timestamptz,
    last_failure_at      timestamptz,
    -- failed attempts since the last success, and when the first of them was made
    consecutive_failures integer     NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    -- the client's delivery settings (null: only the server's caps)
    max_per_second       integer     CHECK (max_per_second BETWEEN 1 AND 1000),
    max_in_flight        integer     CHECK (max_in_flight >= 1)
);

-- Every webhook has its row, however it was made: the recorder and the claim only ever read and update rows.
INSERT INTO endpoint_health (webhook_id, client_id) SELECT id, client_id FROM webhooks;

CREATE FUNCTION make_endpoint_health() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO endpoint_health (webhook_id, client_id) VALUES (NEW.id, NEW.client_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER webhooks_endpoint_health AFTER INSERT ON webhooks
    FOR EACH ROW EXECUTE FUNCTION make_endpoint_health();

-- The dispatcher reads the clients with delivery settings every second: only those rows.
CREATE INDEX endpoint_health_settings ON endpoint_health (client_id)
    WHERE max_per_second IS NOT NULL OR max_in_flight IS NOT NULL;

-- Rewritten by every batch of outcomes (no indexed column changes): room on each page for the new versions keeps
-- those updates HOT, and vacuum keeps up as with the queue (see V3).
ALTER TABLE endpoint_health SET (
    fillfactor = 50,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
