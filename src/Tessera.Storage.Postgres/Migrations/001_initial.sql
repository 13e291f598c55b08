-- The whole schema as of issue 5, in PostgreSQL's types. The tables and columns are the SQLite store's (the SQL over
-- them is shared): times are ISO-8601 text, flags are integers, revisions and sequence numbers are bigint.

-- The store revision: one counter, advanced by every committed change. Every write locks this row first, which
-- serializes writers across all nodes.
CREATE TABLE revision (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TABLE accounts (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    owner_iam_id text NOT NULL,
    created_at   text NOT NULL,
    is_operator  integer NOT NULL DEFAULT 0
);

CREATE TABLE identities (
    iam_id      text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    kind        text NOT NULL,
    name        text NOT NULL,
    created_at  text NOT NULL,
    description text,
    locked      integer NOT NULL DEFAULT 0,
    deleted     integer NOT NULL DEFAULT 0,
    modified_at text,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX identities_account ON identities (account_id, kind, created_at);

CREATE TABLE resource_groups (
    id         text PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts (id),
    name       text NOT NULL,
    is_default integer NOT NULL,
    created_at text NOT NULL,
    deleted    integer NOT NULL DEFAULT 0,
    updated_at text
);
CREATE INDEX resource_groups_account ON resource_groups (account_id);

-- Only the SHA-256 of a key's secret is kept; the secret is shown once, when the key is made.
CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    iam_id      text NOT NULL REFERENCES identities (iam_id),
    account_id  text NOT NULL REFERENCES accounts (id),
    name        text NOT NULL,
    hash        text NOT NULL UNIQUE,
    created_at  text NOT NULL,
    description text,
    created_by  text,
    locked      integer NOT NULL DEFAULT 0,
    deleted     integer NOT NULL DEFAULT 0,
    modified_at text,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX api_keys_account ON api_keys (account_id, iam_id, created_at);

CREATE TABLE signing_keys (
    key_id      text PRIMARY KEY,
    private_key bytea NOT NULL,
    created_at  text NOT NULL
);

CREATE TABLE policies (
    id                  text PRIMARY KEY,
    account_id          text NOT NULL,
    type                text NOT NULL,
    state               text NOT NULL,
    source_service      text,
    target_service      text,
    fingerprint         text NOT NULL,
    body                text NOT NULL,
    created_at          text NOT NULL,
    created_by_id       text NOT NULL,
    last_modified_at    text NOT NULL,
    last_modified_by_id text NOT NULL,
    revision            bigint NOT NULL,
    etag                text NOT NULL,
    subject_id          text,
    source_instance     text,
    target_instance     text,
    delegator_instance  text
);
-- R6: no two active policies grant the same thing.
CREATE UNIQUE INDEX policies_active_fingerprint ON policies (fingerprint) WHERE state = 'active';
CREATE INDEX policies_account ON policies (account_id, state, created_at, id);
CREATE INDEX policies_revision ON policies (revision);
CREATE INDEX policies_subject ON policies (subject_id) WHERE state = 'active';
CREATE INDEX policies_source_instance ON policies (source_instance) WHERE state = 'active';
CREATE INDEX policies_target_instance ON policies (target_instance) WHERE state = 'active';
CREATE INDEX policies_delegator ON policies (delegator_instance) WHERE state = 'active';

CREATE TABLE service_instances (
    guid              text PRIMARY KEY,
    account_id        text NOT NULL REFERENCES accounts (id),
    service_name      text NOT NULL,
    region            text NOT NULL,
    name              text NOT NULL,
    resource_group_id text NOT NULL REFERENCES resource_groups (id),
    plan_id           text NOT NULL,
    removed           integer NOT NULL,
    created_at        text NOT NULL,
    created_by        text NOT NULL,
    deleted_at        text,
    deleted_by        text,
    revision          bigint NOT NULL
);
CREATE INDEX service_instances_account ON service_instances (account_id, created_at, guid);
CREATE INDEX service_instances_group ON service_instances (resource_group_id) WHERE removed = 0;
CREATE INDEX service_instances_revision ON service_instances (revision);

CREATE TABLE access_groups (
    id             text PRIMARY KEY,
    account_id     text NOT NULL REFERENCES accounts (id),
    name           text NOT NULL,
    description    text,
    created_at     text NOT NULL,
    created_by_id  text NOT NULL,
    modified_at    text NOT NULL,
    modified_by_id text NOT NULL,
    deleted        integer NOT NULL
);
CREATE UNIQUE INDEX access_groups_name ON access_groups (account_id, name) WHERE deleted = 0;

CREATE TABLE group_members (
    group_id   text NOT NULL REFERENCES access_groups (id),
    iam_id     text NOT NULL REFERENCES identities (iam_id),
    account_id text NOT NULL,
    added_at   text NOT NULL,
    added_by   text NOT NULL,
    removed    integer NOT NULL DEFAULT 0,
    revision   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, iam_id)
);
CREATE INDEX group_members_iam ON group_members (iam_id);
CREATE INDEX group_members_revision ON group_members (revision);

-- R8: one CADF event per change, written in the change's transaction. seq is allocated while the writer holds the
-- revision row, so it increases in commit order.
CREATE TABLE events (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text NOT NULL UNIQUE,
    revision   bigint NOT NULL,
    account_id text NOT NULL,
    action     text NOT NULL,
    target_id  text NOT NULL,
    event_time text NOT NULL,
    body       text NOT NULL
);
CREATE INDEX events_account ON events (account_id, revision, seq);
CREATE INDEX events_account_seq ON events (account_id, seq);
