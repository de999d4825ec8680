-- Deliveries are signed (Standard Webhooks). A webhook's signing keys are sealed like its other secrets
-- (AES-256-GCM under webhooks.encryption-key, with the row id in the associated data), in a column of their own:
-- a release before this one reads `secrets` as it always did and ignores this column, so it can run beside this
-- one or replace it again (its deliveries are then unsigned). Webhooks registered before this version get a key
-- the first time the service opens them.
--
-- `revision` counts the changes of a row (a replacement or a secret rotation is one). The claim returns it with
-- each delivery, so an instance holding an older copy of the webhook in memory reads it again: a change on one
-- instance is seen by every delivery claimed after it.
ALTER TABLE webhooks
    ADD COLUMN revision     integer NOT NULL DEFAULT 1,
    ADD COLUMN signing_keys bytea;
