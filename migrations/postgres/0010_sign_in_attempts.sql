-- Sign-in throttling reserves each attempt before the password is checked:
-- one row per scope, named by the attempt, released when it succeeds.
ALTER TABLE login_failures ADD COLUMN attempt TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_attempt ON login_failures (attempt);

-- The addresses each account signed in from, so that an address that
-- signed in before is not slowed down by guesses from elsewhere.
CREATE TABLE sign_in_addresses (
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    signed_in_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, address)
);
