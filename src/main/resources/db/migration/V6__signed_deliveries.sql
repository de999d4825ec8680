-- Deliveries are signed (Standard Webhooks). A webhook's signing keys are sealed with its other secrets, in
-- `webhooks.secrets`; webhooks registered before this version get a key the first time the service opens them.
--
-- `revision` counts the changes of a row (a secret rotation is one). The claim returns it with each delivery, so
-- an instance holding an older copy of the webhook in memory reads it again: a rotation on one instance is seen
-- by every instance's next attempt.
ALTER TABLE webhooks ADD COLUMN revision integer NOT NULL DEFAULT 1;
