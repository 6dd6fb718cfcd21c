-- Background work shared by several instances on one database. A lease
-- says which instance does a piece of work (`kind`, `key`: a backend's
-- poll, a script run, the reaper) until `expires_at`; it is claimed by a
-- compare-and-set (absent or expired), renewed by its owner while the work
-- goes on, and released when it ends. An instance that is gone stops
-- renewing, so its leases expire and another instance takes over.
CREATE TABLE leases (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    owner      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    beat_at    BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX leases_owner ON leases (owner);

-- Every running instance says it is alive here (`seen_at`, renewed every
-- few seconds); a row no longer renewed is an instance that is gone.
CREATE TABLE instances (
    id         TEXT PRIMARY KEY NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);
