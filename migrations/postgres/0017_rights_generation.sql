-- What the callers' rights were read at: one counter, moved forward in the
-- same transaction as every change to what an account may do (a role
-- changed or deleted, a role attached or detached, an account disabled or
-- deleted). Every instance reads it with each request and keeps the roles'
-- parsed scopes it read while it has not moved.
CREATE TABLE rights_generation (
    id         INTEGER PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL
);
INSERT INTO rights_generation (id, generation) VALUES (1, 0);

-- The backend's machine list is read in keyset batches, by name then id.
CREATE INDEX machines_backend_name ON machines (backend_id, name, id);
