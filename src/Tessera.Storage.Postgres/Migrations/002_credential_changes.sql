-- Issue 10: the change log carries credential changes, so that a deleted identity's or API key's tokens end on every
-- node at once, and a rotated signing key reaches every node. Written in the deleting (or adding) write's transaction.
CREATE TABLE credential_changes (
    revision bigint NOT NULL,
    kind     text NOT NULL,
    id       text NOT NULL,
    at       text NOT NULL
);
CREATE INDEX credential_changes_revision ON credential_changes (revision);
CREATE INDEX credential_changes_at ON credential_changes (at);
