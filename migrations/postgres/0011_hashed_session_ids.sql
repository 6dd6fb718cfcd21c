-- Session ids are now stored as their SHA-256 (store::sessions): the rows
-- kept under clear ids could no longer be found, and must not stay at rest.
DELETE FROM sessions;
