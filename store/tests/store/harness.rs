use sqlx::{AnyPool, Executor};
use store::Db;

/// A database for one test, removed afterwards.
pub struct TestDb {
    pub db: Db,
    pub engine: &'static str,
    /// Where the database is, for a test that looks at its rows directly.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        Self {
            db: Db::connect(&url).await.unwrap(),
            engine: "sqlite",
            url,
            _dir: Some(dir),
            drop_pg: None,
        }
    }

    /// `None` when no PostgreSQL server is configured: a missing peer
    /// (`testkit::peer_missing`), so the PostgreSQL run is skipped under a
    /// plain `cargo test` and the test fails under `OVERCAST_REQUIRE_PEERS`.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("OVERCAST_TEST_POSTGRES_URL") else {
            testkit::peer_missing(
                "PostgreSQL (OVERCAST_TEST_POSTGRES_URL is unset)",
                "scripts/test.sh starts one and sets it; or apt-get install postgresql and \
                 set OVERCAST_TEST_POSTGRES_URL=postgres://USER:PASSWORD@127.0.0.1:5432/postgres \
                 (a role that may create databases)",
            );
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("overcast_test_{}", uuid_like());
        let admin = AnyPool::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
        let url = format!("{base}/{name}");
        let db = Db::connect(&url).await.unwrap();
        Some(Self {
            db,
            engine: "postgres",
            url,
            _dir: None,
            drop_pg: Some((admin_url, name)),
        })
    }

    /// Closes the pool and drops the PostgreSQL database.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.drop_pg {
            // FORCE ends the test's own connections still closing; an
            // autovacuum worker tidying up after the test's writes may refuse
            // it (it needs the right to signal that worker: scripts/test.sh
            // grants it), and plain DROP stops such a worker: try both.
            let admin = AnyPool::connect(&admin_url).await.unwrap();
            let mut tries = 0;
            loop {
                let force = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let plain = format!("DROP DATABASE IF EXISTS {name}");
                let Err(e) = admin.execute(force.as_str()).await else {
                    break;
                };
                if admin.execute(plain.as_str()).await.is_ok() {
                    break;
                }
                tries += 1;
                assert!(tries < 40, "cannot drop {name}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            admin.close().await;
        }
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{nanos}", std::process::id())
}

/// Runs `body` once per available engine.
#[macro_export]
macro_rules! on_each_engine {
    ($body:expr) => {{
        let t = $crate::harness::TestDb::sqlite().await;
        $body(&t.db, t.engine).await;
        t.finish().await;
        if let Some(t) = $crate::harness::TestDb::postgres().await {
            $body(&t.db, t.engine).await;
            t.finish().await;
        }
    }};
}

/// An ordinary account `id` (its username too) with `email`.
pub async fn account(db: &Db, id: &str, email: &str) {
    let hash = store::accounts::PasswordHash("h".into());
    let new = store::accounts::NewAccount {
        id,
        email,
        name: "",
        password_hash: &hash,
        now: 1,
    };
    db.create_user(new, id).await.unwrap();
}
