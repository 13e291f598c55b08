-- The store revision: one counter, advanced by every committed change.
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    owner_iam_id TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE identities (
    iam_id     TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE resource_groups (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX resource_groups_account ON resource_groups (account_id);

-- Only the SHA-256 of a key's secret is kept; the secret is shown once, when the key is made.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    iam_id     TEXT NOT NULL REFERENCES identities (iam_id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE signing_keys (
    key_id      TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE policies (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    type                TEXT NOT NULL,
    state               TEXT NOT NULL,
    source_service      TEXT,
    target_service      TEXT,
    fingerprint         TEXT NOT NULL,
    body                TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    created_by_id       TEXT NOT NULL,
    last_modified_at    TEXT NOT NULL,
    last_modified_by_id TEXT NOT NULL,
    revision            INTEGER NOT NULL,
    etag                TEXT NOT NULL
);
-- R6: no two active policies grant the same thing.
CREATE UNIQUE INDEX policies_active_fingerprint ON policies (fingerprint) WHERE state = 'active';
CREATE INDEX policies_account ON policies (account_id, state, created_at, id);
CREATE INDEX policies_revision ON policies (revision);

-- R8: one CADF event per change, written in the change's transaction.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    revision   INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    action     TEXT NOT NULL,
    target_id  TEXT NOT NULL,
    event_time TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX events_account ON events (account_id, revision, seq);
