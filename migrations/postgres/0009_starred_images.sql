-- Images an operator starred on a backend (mist.io's star): listed first
-- in image answers and the create form. Forgotten with their backend.
CREATE TABLE starred_images (
    backend_id TEXT NOT NULL REFERENCES backends (id) ON DELETE CASCADE,
    image_id   TEXT NOT NULL,
    starred_at BIGINT NOT NULL,
    PRIMARY KEY (backend_id, image_id)
);
