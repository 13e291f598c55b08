-- Issue 4: access management. Identities, keys and groups gain lifecycle columns; instances and access groups arrive;
-- policies gain the columns that find what a removal cascades to (R7).

ALTER TABLE accounts ADD COLUMN is_operator INTEGER NOT NULL DEFAULT 0;
-- The first account is the one the bootstrap created: the operator's.
UPDATE accounts SET is_operator = 1 WHERE rowid = (SELECT MIN(rowid) FROM accounts);

ALTER TABLE identities ADD COLUMN description TEXT;
ALTER TABLE identities ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identities ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identities ADD COLUMN modified_at TEXT;
ALTER TABLE identities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE identities SET modified_at = created_at;
CREATE INDEX identities_account ON identities (account_id, kind, created_at);

ALTER TABLE api_keys ADD COLUMN description TEXT;
ALTER TABLE api_keys ADD COLUMN created_by TEXT;
ALTER TABLE api_keys ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN modified_at TEXT;
ALTER TABLE api_keys ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE api_keys SET created_by = iam_id, modified_at = created_at;
CREATE INDEX api_keys_account ON api_keys (account_id, iam_id, created_at);

ALTER TABLE resource_groups ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resource_groups ADD COLUMN updated_at TEXT;
UPDATE resource_groups SET updated_at = created_at;

CREATE TABLE service_instances (
    guid              TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    service_name      TEXT NOT NULL,
    region            TEXT NOT NULL,
    name              TEXT NOT NULL,
    resource_group_id TEXT NOT NULL REFERENCES resource_groups (id),
    plan_id           TEXT NOT NULL,
    removed           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    deleted_at        TEXT,
    deleted_by        TEXT,
    revision          INTEGER NOT NULL
);
CREATE INDEX service_instances_account ON service_instances (account_id, created_at, guid);
CREATE INDEX service_instances_group ON service_instances (resource_group_id) WHERE removed = 0;

CREATE TABLE access_groups (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    name           TEXT NOT NULL,
    description    TEXT,
    created_at     TEXT NOT NULL,
    created_by_id  TEXT NOT NULL,
    modified_at    TEXT NOT NULL,
    modified_by_id TEXT NOT NULL,
    deleted        INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_groups_name ON access_groups (account_id, name) WHERE deleted = 0;

CREATE TABLE group_members (
    group_id   TEXT NOT NULL REFERENCES access_groups (id),
    iam_id     TEXT NOT NULL REFERENCES identities (iam_id),
    account_id TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    PRIMARY KEY (group_id, iam_id)
);
CREATE INDEX group_members_iam ON group_members (iam_id);

-- What a policy is bound to, for cascades: the identity or group an access policy grants to, the source and target
-- instance GUIDs, and the instance that created it as a delegator. Filled for existing rows by the migration's code.
ALTER TABLE policies ADD COLUMN subject_id TEXT;
ALTER TABLE policies ADD COLUMN source_instance TEXT;
ALTER TABLE policies ADD COLUMN target_instance TEXT;
ALTER TABLE policies ADD COLUMN delegator_instance TEXT;
CREATE INDEX policies_subject ON policies (subject_id) WHERE state = 'active';
CREATE INDEX policies_source_instance ON policies (source_instance) WHERE state = 'active';
CREATE INDEX policies_target_instance ON policies (target_instance) WHERE state = 'active';
CREATE INDEX policies_delegator ON policies (delegator_instance) WHERE state = 'active';

CREATE INDEX events_account_seq ON events (account_id, seq);
