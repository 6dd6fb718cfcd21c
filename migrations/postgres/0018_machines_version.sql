-- How many times a backend's machine list has changed: moved forward in the
-- same transaction as every write to its machines (a poll that changed
-- something, an action's new state, a machine added or removed). An
-- instance keeps a caller's serialized list while the counter stands.
ALTER TABLE backends ADD COLUMN machines_version BIGINT NOT NULL DEFAULT 0;
