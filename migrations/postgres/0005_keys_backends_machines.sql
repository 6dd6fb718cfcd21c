-- SSH keys. `name` is what the API calls the key's id (mist.io's shape);
-- `id` never changes and binds the sealed private part to its row.
CREATE TABLE ssh_keys (
    id             TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL UNIQUE,
    algorithm      TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    is_default     BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);

-- Cloud accounts. Secrets are sealed (AEAD under the installation key);
-- `config` holds the provider's other, non-secret settings as JSON.
CREATE TABLE backends (
    id            TEXT PRIMARY KEY NOT NULL,
    title         TEXT NOT NULL UNIQUE,
    provider      TEXT NOT NULL,
    region        TEXT,
    apikey        TEXT,
    apiurl        TEXT,
    config        TEXT NOT NULL,
    secret_sealed TEXT,
    enabled       BIGINT NOT NULL,
    state         TEXT NOT NULL,
    state_reason  TEXT,
    poll_interval BIGINT NOT NULL,
    polled_at     BIGINT,
    created_at    BIGINT NOT NULL
);

-- The machines last seen on each backend.
CREATE TABLE machines (
    backend_id  TEXT NOT NULL REFERENCES backends (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL,
    public_ips  TEXT NOT NULL,
    private_ips TEXT NOT NULL,
    ssh_port    BIGINT NOT NULL,
    extra       TEXT NOT NULL,
    seen_at     BIGINT NOT NULL,
    PRIMARY KEY (backend_id, id)
);

-- Which key opens which machine, as which user, with or without sudo.
CREATE TABLE key_machines (
    key_id       TEXT NOT NULL REFERENCES ssh_keys (id) ON DELETE CASCADE,
    backend_id   TEXT NOT NULL,
    machine_id   TEXT NOT NULL,
    ssh_user     TEXT NOT NULL,
    sudo         BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, backend_id, machine_id)
);
CREATE INDEX key_machines_machine ON key_machines (backend_id, machine_id);

-- Host keys pinned on first use, per machine. A different key presented
-- later is kept as `pending_*` until someone with edit:machine accepts it.
CREATE TABLE host_keys (
    backend_id          TEXT NOT NULL,
    machine_id          TEXT NOT NULL,
    openssh             TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    pinned_at           BIGINT NOT NULL,
    pending_openssh     TEXT,
    pending_fingerprint TEXT,
    PRIMARY KEY (backend_id, machine_id)
);
