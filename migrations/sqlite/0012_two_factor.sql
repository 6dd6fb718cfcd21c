-- Two-factor sign-in (TOTP, RFC 6238). One enrolment per account: its
-- secret sealed by the vault (the account's id as associated data), not in
-- force until confirmed with a code; `last_step` is the time step of the
-- last code accepted, so a code is accepted once (compare-and-set).
CREATE TABLE two_factor (
    account_id   TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT -1
);

-- Recovery codes, stored as their SHA-256; each used once.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Installation-wide settings chosen by the master (`two_factor_required`).
CREATE TABLE settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
