-- Every change a page shows, kept for a bounded time so a client that
-- reconnects gets what it missed (see store::events). `seq` only grows;
-- on PostgreSQL events are appended inside the write lock, so they commit
-- in `seq` order and a reader that has seen `seq` N never later finds a
-- smaller one.
CREATE TABLE events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    resource TEXT NOT NULL,
    data     TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);
