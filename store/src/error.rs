use thiserror::Error;

/// A failure of the store. The cause is for the log, not for the user.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A uniqueness rule was broken (the message names what exists already).
    #[error("{0}")]
    Conflict(String),
    /// The database URL names an engine Overcast does not support.
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    /// Stored data could not be decoded.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The data directory could not be created.
    #[error("cannot prepare the data directory: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Whether this error is a violated unique constraint.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::Database(db)) => db.is_unique_violation(),
            Self::Conflict(_) => true,
            _ => false,
        }
    }
}
