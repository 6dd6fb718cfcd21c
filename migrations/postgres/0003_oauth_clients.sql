-- OAuth2 clients. Each stands for a service account (an `accounts` row that
-- cannot sign in) whose roles are the client's rights.
CREATE TABLE oauth_clients (
    client_id   TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
