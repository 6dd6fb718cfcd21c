-- Scripts run on a machine over SSH: post-deploy scripts given at machine
-- creation, or run on an existing machine. A run waits until the machine
-- answers over SSH, then its output is kept in chunks as it arrives, so a
-- page can follow it live (seq after seq) and read it later.
CREATE TABLE script_runs (
    id          TEXT PRIMARY KEY NOT NULL,
    backend_id  TEXT NOT NULL REFERENCES backends (id) ON DELETE CASCADE,
    machine_id  TEXT NOT NULL,
    script      TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT,
    exit_code   BIGINT,
    ssh_user    TEXT,
    ssh_key     TEXT,
    ssh_host    TEXT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    finished_at BIGINT,
    -- Renewed while the instance that carries the run is alive; a run
    -- whose heartbeat stopped is ended by any instance.
    heartbeat_at BIGINT
);
CREATE INDEX script_runs_machine ON script_runs (backend_id, machine_id, created_at);

CREATE TABLE script_output (
    run_id TEXT NOT NULL REFERENCES script_runs (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL,
    stream TEXT NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
