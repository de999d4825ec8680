-- The history tables every delivery writes (events, deliveries) no longer reference clients.
--
-- A foreign key is checked by a trigger per inserted row: one SELECT ... FOR KEY SHARE on clients for each event,
-- each delivery and each queue row. EXPLAIN ANALYZE of a 1,000-event intake batch showed each of the three
-- triggers at 13 ms, 39 of its 150 ms, for a check that cannot fail: intake reads the batch's clients first
-- (EventRepository.existingClients) and no code path deletes a client. The history's two go. delivery_queue
-- keeps its own (a third of the cost): were a client deleted by hand, its pending queue rows still go with it.
-- Left behind, they would never be claimed (the claim walks clients) and would keep their days' partitions from
-- ever being dropped (HistoryPartitions drops no day with a queue row). Its history goes with its days'
-- partitions at retention, as everyone's does.
--
-- Dropping a foreign key locks the table and clients. Both are locked here first, clients first as intake does
-- (it reads clients, then inserts), so a migration run while other instances take traffic cannot deadlock with
-- them; it waits at most lock_timeout for their short transactions, and otherwise fails and is run again at the
-- next start.
SET LOCAL lock_timeout = '10s';
LOCK TABLE clients, events, deliveries IN ACCESS EXCLUSIVE MODE;

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conrelid::regclass AS tbl, c.conname
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = 'clients'::regclass AND c.conparentid = 0
          AND c.conrelid IN ('events'::regclass, 'deliveries'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END
$$;

-- A delivery's row is updated with its outcome shortly after it is inserted. With full pages (the default
-- fillfactor of 100, as intake fills them) that update cannot stay on its page: it writes a new row version
-- elsewhere plus one new entry in each of the four indexes. Half-full pages keep the update on the page (a HOT
-- update: no index entry). Measured on copies of a day's partition, three rounds of 20,000 intake rows each updated
-- once in batches of 200 in insertion order, then VACUUM: 6 % of the updates were HOT at fillfactor 100, 49 % at
-- 70, 88 % at 50. The price is room: the heap ended 1.56 times as large at 50 (2,276 pages against 1,459; 1.27 at
-- 70), partly paid back by the index entries HOT updates do not write (20,000 rows: indexes 697 pages against
-- 741). New daily partitions of deliveries get it; existing ones take it for their next pages.
CREATE OR REPLACE FUNCTION make_history_partitions(first_day date, days integer) RETURNS integer
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
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)%s',
                tbl || '_p' || to_char(day, 'YYYYMMDD'), tbl,
                day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC',
                CASE WHEN tbl = 'deliveries' THEN ' WITH (fillfactor = 50)' ELSE '' END);
            made := made + 1;
        END LOOP;
    END LOOP;
    RETURN made;
END
$$;

DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'deliveries'::regclass LOOP
        EXECUTE format('ALTER TABLE %s SET (fillfactor = 50)', part);
    END LOOP;
END
$$;
