-- The fleet table: when Overcast first saw each machine (kept while the
-- machine is listed; a machine already known is taken as first seen when
-- it was last seen), and each user's choices (the columns they show).
ALTER TABLE machines ADD COLUMN first_seen BIGINT NOT NULL DEFAULT 0;
UPDATE machines SET first_seen = seen_at;

-- One user's saved choice, by name (`fleet.columns`: a JSON array).
CREATE TABLE user_preferences (
    user_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, name)
);
