use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Executor,
};

use crate::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The PostgreSQL advisory lock every write transaction holds ("overcast"
/// in ASCII): see [`Db::write_tx`].
const WRITE_LOCK: i64 = 0x6f76_6572_6361_7374;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// The embedded default: one file, WAL journal.
    Sqlite,
    /// For several Overcast instances sharing one database.
    Postgres,
}

/// Pool figures for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Open connections not in use.
    pub idle: usize,
    /// Configured maximum.
    pub max: u32,
}

/// A migrated connection pool.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
    /// Where it connected, for the connections a pool does not give (a
    /// PostgreSQL listener). Never printed: it may hold a password.
    url: std::sync::Arc<str>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("kind", &self.kind)
            .field("url", &redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://...`), creating the
    /// SQLite file and its directory when missing, and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let max = if kind == DbKind::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if kind == DbKind::Sqlite {
            // WAL is a property of the file: set once, it persists.
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        match kind {
            DbKind::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            DbKind::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self {
            pool,
            kind,
            url: url.into(),
        })
    }

    /// The URL it connected to, for a connection of its own (PostgreSQL);
    /// `None` for SQLite.
    pub(crate) fn url(&self) -> Option<&str> {
        (self.kind == DbKind::Postgres).then_some(&*self.url)
    }

    /// The pool, for the repositories of this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that writes. A write transaction runs alone,
    /// on either engine, so one that reads and then writes (count the keys,
    /// then insert one as the default; delete a row, then insert it again)
    /// never interleaves with another:
    /// - On SQLite it takes the write lock at its start (`BEGIN IMMEDIATE`),
    ///   waiting up to `busy_timeout` for another writer. A deferred
    ///   transaction that reads and then writes gets `SQLITE_BUSY` at once
    ///   ("database is locked") when another connection wrote meanwhile,
    ///   since SQLite cannot upgrade its read snapshot.
    /// - On PostgreSQL it takes a transaction-scoped advisory lock shared by
    ///   every instance on the database. Under READ COMMITTED two
    ///   transactions would each count no default key, or lock rows in
    ///   different orders and deadlock, or both insert a row the other just
    ///   deleted.
    ///
    /// Statements outside a transaction need neither.
    ///
    /// The transaction is begun in a task of its own, which its caller
    /// cannot cancel: sqlx 0.8 loses track of a transaction whose `begin`
    /// is dropped between the `BEGIN` and its acknowledgement (a custom
    /// `BEGIN IMMEDIATE` on SQLite; any `BEGIN` on PostgreSQL), and the
    /// connection goes back to the pool still inside it, holding the write
    /// lock for good. A browser aborting a request drops its server
    /// function's future at any point. Begun in a task, a transaction whose
    /// caller left is handed to nobody: dropped, it rolls back.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        let pool = self.pool.clone();
        let kind = self.kind;
        tokio::spawn(async move { begin_write(&pool, kind).await })
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("beginning a write transaction: {e}")))?
    }

    /// Which engine this is.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Runs the engine's own consistency check (SQLite's `integrity_check`;
    /// PostgreSQL has no equivalent and is trusted).
    pub async fn integrity_ok(&self) -> Result<bool, StoreError> {
        if self.kind != DbKind::Sqlite {
            return Ok(true);
        }
        let row = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        let verdict: String = sqlx::Row::try_get(&row, 0)?;
        Ok(verdict == "ok")
    }

    /// Connection-pool figures.
    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: self.pool.num_idle(),
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// [`Db::write_tx`]'s transaction, begun on `pool`.
async fn begin_write(
    pool: &AnyPool,
    kind: DbKind,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match kind {
        DbKind::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        DbKind::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// Ensures the SQLite file's directory exists and the URL creates the file.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = Path::new(path).parent() {
            crate::files::create_private_dir(dir)?;
        }
        crate::files::create_private_file(Path::new(path))?;
    }
    if query.contains("mode=") {
        Ok(url.to_owned())
    } else if query.is_empty() {
        Ok(format!("sqlite://{path}?mode=rwc"))
    } else {
        Ok(format!("sqlite://{path}?{query}&mode=rwc"))
    }
}

/// A URL fit for a log line: the password removed.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Milliseconds since the Unix epoch, the store's timestamp unit.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
    }

    #[test]
    fn passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://ops:s3cret@db:5432/overcast"),
            "postgres://ops:***@db:5432/overcast"
        );
    }
}
