-- How many times a delivery has been claimed since an outcome was last recorded for it. Claiming adds one;
-- recording an attempt (or giving the claim back unused) resets or undoes it. A delivery whose attempts keep
-- ending without any outcome (the instance dies while attempting it, again and again) is FAILED by the claim
-- that would exceed the limit, with a reason, instead of being claimed forever.
ALTER TABLE deliveries ADD COLUMN unrecorded_claims integer NOT NULL DEFAULT 0;
