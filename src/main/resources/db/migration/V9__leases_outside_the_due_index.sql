-- A claim's lease gets its own column, outside the due index, so claiming and renewing a lease update the queue row
-- on its page (HOT: no new entry in either index).
--
-- Until now a claim leased a row by moving next_attempt_at, the second column of delivery_queue_client_due, to the
-- lease's end: every claim and every heartbeat renewal wrote a new row version elsewhere plus an entry in both
-- indexes. EXPLAIN (ANALYZE, WAL) of a 200-row claim over 50,000 due rows of 100 clients: 1,001 WAL records and
-- 86,865 bytes with the lease in next_attempt_at; 443 records and 36,534 bytes with it in leased_until on pages with
-- room (434 against 183 bytes per claimed row).
--
-- A row is due when next_attempt_at has passed and it holds no lease (lease_token), or its lease has run out
-- (leased_until). The lease id stays as it was: set by the claim, cleared by an outcome or a release; an outcome is
-- written only under it. Rows leased when this runs keep their lease: its end, until now in next_attempt_at, is
-- copied to leased_until. The queue is locked for that one pass over the pending rows: intake waits for it.
--
-- Upgrading one instance at a time: an older release still running claims by moving next_attempt_at and setting
-- lease_token. A row a newer instance holds has its next_attempt_at in the past, so that older claim would take it:
-- one delivery sent twice at once. The trigger below refuses any update that sets a new non-null lease_token
-- without a new leased_until, which only an older release's claim does; so an older instance stops claiming as soon
-- as this has run (each claim fails, every time it is woken), and still records the outcomes, renews and releases
-- the leases of what it holds (those never set a new lease_token). Its condition is evaluated per updated row
-- without calling the function, which runs only to refuse; but a BEFORE ROW trigger locks each row it is evaluated
-- on, which costs a WAL record per row to an update that has not locked its rows first (every statement of the
-- service locks them first: LOCK_IN_ID_ORDER). A later migration may drop it once no release before this one can
-- run. The check constraint says the same for the rows themselves; NOT VALID, as the update above just made it
-- true of every row (validating would be a second pass over the queue under the lock).
--
-- The queue's pages are kept half full (as deliveries' in V8), so a claimed row's new version fits on its page.
-- Pages already full take it as their rows leave the queue.
SET LOCAL lock_timeout = '10s';
LOCK TABLE delivery_queue IN ACCESS EXCLUSIVE MODE;

ALTER TABLE delivery_queue ADD COLUMN leased_until timestamptz;

UPDATE delivery_queue SET leased_until = next_attempt_at WHERE lease_token IS NOT NULL;

ALTER TABLE delivery_queue
    ADD CONSTRAINT delivery_queue_lease_has_an_end CHECK (lease_token IS NULL OR leased_until IS NOT NULL) NOT VALID;

CREATE FUNCTION refuse_a_lease_without_an_end() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'delivery_queue: a claim must set leased_until (a release before V9 is still running)'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'delivery_queue_lease_has_an_end';
END
$$;

CREATE TRIGGER delivery_queue_lease_has_an_end
    BEFORE UPDATE ON delivery_queue
    FOR EACH ROW
    WHEN (NEW.lease_token IS NOT NULL AND NEW.lease_token IS DISTINCT FROM OLD.lease_token
          AND NEW.leased_until IS NOT DISTINCT FROM OLD.leased_until)
    EXECUTE FUNCTION refuse_a_lease_without_an_end();

ALTER TABLE delivery_queue SET (fillfactor = 50);
