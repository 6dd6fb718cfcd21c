-- Stacks (Mobingi ALM): machines made from a template, on one backend
-- (a stack never moves clouds). `status` is CloudFormation's name
-- (CREATE_IN_PROGRESS, ...). At most one operation runs on a stack
-- (`operation_kind`/`operation_id`, NULL when none), begun by a
-- compare-and-set on the status; `operation_detail` is its parameters as
-- JSON (what a resumed operation needs: the versions, `on_failure`).
-- `auth_token_sealed` is the agents' secret, sealed by the service.
-- A deleted stack keeps its row, versions, journal and events
-- (`deleted_at` set); nicknames are unique among live stacks.
CREATE TABLE stacks (
    id                TEXT PRIMARY KEY NOT NULL,
    nickname          TEXT NOT NULL,
    owner_id          TEXT NOT NULL,
    backend_id        TEXT NOT NULL,
    status            TEXT NOT NULL,
    version_id        TEXT NOT NULL,
    operation_kind    TEXT,
    operation_id      TEXT,
    operation_detail  TEXT,
    operation_started_at BIGINT,
    auth_token_sealed TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    deleted_at        BIGINT
);
CREATE UNIQUE INDEX stacks_live_nickname ON stacks (nickname) WHERE deleted_at IS NULL;
CREATE INDEX stacks_backend ON stacks (backend_id);
CREATE INDEX stacks_created ON stacks (created_at);

-- Every version of a stack's template (secrets sealed by the service),
-- `seq` from 1 per stack: the highest is the latest. `computed` holds the
-- values Overcast chose for "${computed}" fields, JSON.
CREATE TABLE stack_versions (
    stack_id   TEXT NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
    version_id TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    template   TEXT NOT NULL,
    computed   TEXT NOT NULL,
    size       BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (stack_id, version_id),
    UNIQUE (stack_id, seq)
);

-- One row per step of an operation, written before the provider is called
-- and marked after (`pending`, then `done`, `failed` or `skipped`), so an
-- interrupted operation resumes from its pending steps. `seq` from 1 per
-- stack, across its operations. `machine_name` is deterministic
-- (`<nickname>-<flag>-<n>`); `machine_id` is the provider's, once known.
CREATE TABLE stack_journal (
    stack_id     TEXT NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    operation_id TEXT NOT NULL,
    flag         TEXT NOT NULL,
    action       TEXT NOT NULL,
    machine_name TEXT NOT NULL,
    machine_id   TEXT,
    state        TEXT NOT NULL,
    message      TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (stack_id, seq)
);
CREATE INDEX stack_journal_operation ON stack_journal (stack_id, operation_id, state);

-- A stack's own event log (status changes, steps, agents' reports), kept
-- as long as the stack: unlike `events`, never pruned. `seq` from 1 per
-- stack; `detail` is JSON.
CREATE TABLE stack_events (
    stack_id TEXT NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
    seq      BIGINT NOT NULL,
    at       BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    detail   TEXT NOT NULL,
    PRIMARY KEY (stack_id, seq)
);

-- Each agent's last report on a stack (alm-agent's agent_status and
-- container_status calls): one row per stack and agent, upserted.
-- `instance_id` is '' until an agent sends one.
CREATE TABLE stack_agents (
    stack_id         TEXT NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
    agent_id         TEXT NOT NULL,
    instance_id      TEXT NOT NULL,
    status           TEXT,
    message          TEXT,
    container_id     TEXT,
    container_status TEXT,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (stack_id, agent_id)
);
