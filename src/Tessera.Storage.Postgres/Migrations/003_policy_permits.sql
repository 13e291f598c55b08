-- Issue 11: when each policy last permitted a decision and how often (IBM's format=include_last_permit). Counted by the
-- nodes' decisions and added here in batches; not part of the policy, so no revision, ETag or event moves with it.
CREATE TABLE policy_permits (
    policy_id      text PRIMARY KEY,
    last_permit_at text NOT NULL,
    frequency      bigint NOT NULL
);
