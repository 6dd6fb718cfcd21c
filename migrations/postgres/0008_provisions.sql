-- Machines being created, recorded before the provider is asked and
-- updated with its answer: a crash between the two leaves a `requested`
-- row (never an untracked machine), which a later pass can match by name
-- on the provider. Stacks create their machines through the same record.
CREATE TABLE provisions (
    id           TEXT PRIMARY KEY NOT NULL,
    backend_id   TEXT NOT NULL REFERENCES backends (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    size         TEXT NOT NULL,
    image        TEXT NOT NULL,
    location     TEXT NOT NULL,
    key_id       TEXT,
    requested_by TEXT NOT NULL,
    -- `requested` (the provider was, or was about to be, asked),
    -- `created` (it answered with `machine_id`), `failed` (`detail` says why).
    state        TEXT NOT NULL,
    machine_id   TEXT,
    detail       TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX provisions_state ON provisions (state, created_at);
