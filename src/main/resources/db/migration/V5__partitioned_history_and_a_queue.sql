-- Splits the queue from the history.
--
-- delivery_queue: one row per PENDING delivery, with what a claim needs; deleted when the delivery finishes. Its
-- size is the pending count, never the history, and a claim walks it per client (client_id, next_attempt_at).
--
-- events, deliveries, delivery_attempts: the record, partitioned by range of creation time, one partition per
-- UTC day. A delivery made at intake has its event's created_at, and an attempt is stored in the partition of its
-- delivery's creation time (delivery_created_at), so one day's partitions of the three tables hold each other's
-- rows and are dropped together (HistoryPartitions). Partitioned tables need the partition key in every unique
-- constraint, so keys are (id, created_at); there are no foreign keys between the three tables (they would make
-- dropping a partition impossible), only to clients, with ON DELETE CASCADE. Idempotency of intake (one event per
-- client and event_key) cannot be a unique index across partitions: intake takes a transaction-level advisory
-- lock per key, then inserts only keys no partition holds (EventRepository).
--
-- Rows already recorded keep their ids and timestamps and move to a *_legacy partition covering everything up to
-- the end of the last day they were created on; days after it get daily partitions. The service makes the next
-- days' partitions ahead (make_history_partitions) at startup and on a schedule.

ALTER TABLE events RENAME TO events_v4;
ALTER TABLE deliveries RENAME TO deliveries_v4;
ALTER TABLE delivery_attempts RENAME TO delivery_attempts_v4;

CREATE TABLE events (
    id          uuid         NOT NULL,
    client_id   uuid         NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    event_key   varchar(200) NOT NULL,
    type        smallint     NOT NULL,
    document_id varchar(255) NOT NULL,
    document    json         NOT NULL, -- json, not jsonb: the client receives the document as the platform wrote it
    is_test     boolean      NOT NULL DEFAULT false,
    created_at  timestamptz  NOT NULL DEFAULT now()
) PARTITION BY RANGE (created_at);

-- The history of a delivery: status, counts and the last attempt, as the delivery log shows them. While it is
-- PENDING its delivery_queue row is the job; the state machine is unchanged:
--   PENDING --2xx--> SUCCEEDED
--   PENDING --failure, retries left--> PENDING (next_attempt_at = now() + backoff)
--   PENDING --failure, none left / 410--> FAILED
--   PENDING --no webhook at attempt time--> CANCELLED
--   SUCCEEDED | FAILED | CANCELLED --manual retry--> PENDING (a fresh retry schedule)
CREATE TABLE deliveries (
    id                uuid         NOT NULL,
    event_id          uuid         NOT NULL,
    event_created_at  timestamptz  NOT NULL,
    client_id         uuid         NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    document_id       varchar(255) NOT NULL,
    status            varchar(16)  NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    attempt_count     integer      NOT NULL DEFAULT 0,
    schedule_failures integer      NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    finished_at       timestamptz
) PARTITION BY RANGE (created_at);

-- One row per HTTP attempt, for the client's delivery log. No request headers or bodies are kept: they may
-- carry credentials. response_body is truncated to webhooks.outbound.max-response-body.
CREATE SEQUENCE delivery_attempt_ids AS bigint;

CREATE TABLE delivery_attempts (
    id                  bigint      NOT NULL DEFAULT nextval('delivery_attempt_ids'),
    delivery_id         uuid        NOT NULL,
    delivery_created_at timestamptz NOT NULL,
    attempted_at        timestamptz NOT NULL,
    duration_ms         integer     NOT NULL,
    method              varchar(8),
    url                 text,
    status_code         integer,
    error               text,
    response_body       text
) PARTITION BY RANGE (delivery_created_at);

ALTER SEQUENCE delivery_attempt_ids OWNED BY delivery_attempts.id;

-- The queue. A worker claims a due row by moving next_attempt_at forward by the lease and stamping lease_token;
-- if it dies, the row falls due again when the lease runs out. Outcomes are recorded only under the same token.
-- unrecorded_claims: claims since an outcome was last recorded (see V4).
CREATE TABLE delivery_queue (
    id                uuid        PRIMARY KEY,
    created_at        timestamptz NOT NULL, -- the delivery's, its partition key in deliveries
    client_id         uuid        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    event_id          uuid        NOT NULL,
    event_created_at  timestamptz NOT NULL,
    next_attempt_at   timestamptz NOT NULL,
    lease_token       uuid,
    unrecorded_claims integer     NOT NULL DEFAULT 0,
    attempt_count     integer     NOT NULL DEFAULT 0,
    schedule_failures integer     NOT NULL DEFAULT 0
);

-- The queue churns: vacuum it after a small fraction of change, without cost-based throttling (see V3).
ALTER TABLE delivery_queue SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);

-- Makes the daily partitions of the three history tables for `days` days from `first_day` (UTC), skipping days
-- that have them or that an existing partition (the legacy one) covers. Idempotent, and safe on several instances
-- at once: one transaction-level advisory lock serialises the makers. @return how many partitions it made
CREATE FUNCTION make_history_partitions(first_day date, days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day  date;
    tbl  text;
    made integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('webhooks history partitions'));
    FOR i IN 0 .. days - 1 LOOP
        day := first_day + i;
        FOREACH tbl IN ARRAY ARRAY['events', 'deliveries', 'delivery_attempts'] LOOP
            CONTINUE WHEN to_regclass(format('%I', tbl || '_p' || to_char(day, 'YYYYMMDD'))) IS NOT NULL;
            CONTINUE WHEN EXISTS (
                SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = tbl::regclass AND c.relname = tbl || '_legacy'
                  AND substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz
                      > (day::timestamp AT TIME ZONE 'UTC'));
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                tbl || '_p' || to_char(day, 'YYYYMMDD'), tbl,
                day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
            made := made + 1;
        END LOOP;
    END LOOP;
    RETURN made;
END
$$;

-- Rows recorded before this migration: a legacy partition up to the end of their last day, when there are any.
DO $$
DECLARE
    legacy_until timestamp; -- UTC
    tbl text;
BEGIN
    SELECT date_trunc('day', max(created_at) AT TIME ZONE 'UTC') + interval '1 day'
    INTO legacy_until
    FROM (SELECT max(created_at) AS created_at FROM events_v4
          UNION ALL SELECT max(created_at) FROM deliveries_v4) AS newest;
    IF legacy_until IS NOT NULL THEN
        FOREACH tbl IN ARRAY ARRAY['events', 'deliveries', 'delivery_attempts'] LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (MINVALUE) TO (%L)',
                tbl || '_legacy', tbl, legacy_until AT TIME ZONE 'UTC');
        END LOOP;
    END IF;
    PERFORM make_history_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);
END
$$;

INSERT INTO events (id, client_id, event_key, type, document_id, document, is_test, created_at)
SELECT id, client_id, event_key, type, document_id, document, is_test, created_at FROM events_v4;

INSERT INTO deliveries (id, event_id, event_created_at, client_id, document_id, status, attempt_count,
                        schedule_failures, next_attempt_at, created_at, last_attempt_at, last_status_code,
                        last_error, finished_at)
SELECT d.id, d.event_id, e.created_at, d.client_id, d.document_id, d.status, d.attempt_count, d.schedule_failures,
       d.next_attempt_at, d.created_at, d.last_attempt_at, d.last_status_code, d.last_error, d.finished_at
FROM deliveries_v4 d JOIN events_v4 e ON e.id = d.event_id;

INSERT INTO delivery_queue (id, created_at, client_id, event_id, event_created_at, next_attempt_at, lease_token,
                            unrecorded_claims, attempt_count, schedule_failures)
SELECT d.id, d.created_at, d.client_id, d.event_id, e.created_at, coalesce(d.next_attempt_at, now()), d.lease_token,
       d.unrecorded_claims, d.attempt_count, d.schedule_failures
FROM deliveries_v4 d JOIN events_v4 e ON e.id = d.event_id
WHERE d.status = 'PENDING';

INSERT INTO delivery_attempts (id, delivery_id, delivery_created_at, attempted_at, duration_ms, method, url,
                               status_code, error, response_body)
SELECT a.id, a.delivery_id, d.created_at, a.attempted_at, a.duration_ms, a.method, a.url, a.status_code, a.error,
       a.response_body
FROM delivery_attempts_v4 a JOIN deliveries_v4 d ON d.id = a.delivery_id;

SELECT setval('delivery_attempt_ids', coalesce((SELECT max(id) FROM delivery_attempts_v4), 0) + 1, false);

DROP TABLE delivery_attempts_v4;
DROP TABLE deliveries_v4;
DROP TABLE events_v4;

ALTER TABLE events ADD PRIMARY KEY (id, created_at);
-- Finds an event by its key in every partition (idempotent intake, replays).
CREATE INDEX events_client_key ON events (client_id, event_key);

ALTER TABLE deliveries ADD PRIMARY KEY (id, created_at);
CREATE INDEX deliveries_client_log ON deliveries (client_id, created_at DESC, id DESC);
CREATE INDEX deliveries_client_document ON deliveries (client_id, document_id, created_at DESC, id DESC);
CREATE INDEX deliveries_event ON deliveries (event_id);

ALTER TABLE delivery_attempts ADD PRIMARY KEY (id, delivery_created_at);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

-- The claim's walk. No other index: every claim rewrites next_attempt_at, so each index costs every claim an
-- insert (retention's "does this day still have pending deliveries" is a scan of the queue, hourly).
CREATE INDEX delivery_queue_client_due ON delivery_queue (client_id, next_attempt_at);

ANALYZE events;
ANALYZE deliveries;
ANALYZE delivery_attempts;
ANALYZE delivery_queue;
