-- The deliveries table is a queue: every delivery is inserted, claimed and finished, and each step leaves a dead
-- entry in the due-index that the next claim has to step over until VACUUM removes it. Vacuum it after a small
-- fraction of churn rather than PostgreSQL's default 20 %, and without cost-based throttling.
ALTER TABLE deliveries SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
