-- The fleet's price per hour: the sizes a backend's provider listed the
-- last time they were asked for (the create wizard, the REST list), each
-- with its price per hour where the provider reports one. A listing
-- replaces the backend's rows whole.
CREATE TABLE backend_sizes (
    backend_id   TEXT NOT NULL REFERENCES backends (id) ON DELETE CASCADE,
    size_id      TEXT NOT NULL,
    price_hourly DOUBLE PRECISION NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (backend_id, size_id)
);
