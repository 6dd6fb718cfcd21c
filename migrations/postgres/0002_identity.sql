-- Users (usernames for the Mobingi routes), roles, their attachment, API tokens.
ALTER TABLE accounts ADD COLUMN username TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX accounts_username ON accounts (username) WHERE username <> '';

CREATE TABLE roles (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE user_roles (
    id         TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role_id    TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, role_id)
);
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scope        TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);
