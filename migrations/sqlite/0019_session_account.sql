-- The account a session is signed in to, beside its record (which names it
-- too): loading a session reads its account and the rights generation in
-- the same query. NULL for a session not signed in, or saved before this.
ALTER TABLE sessions ADD COLUMN account_id TEXT;
