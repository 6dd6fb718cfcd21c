//! A fresh PostgreSQL database for one cluster, dropped afterwards (also
//! when the test panics: see `Cluster`'s Drop).

use sqlx::{AnyPool, Executor};

/// One database made for a test.
pub struct Database {
    /// Its URL, for `DATABASE_URL`.
    pub url: String,
    admin_url: String,
    name: String,
}

impl Database {
    /// `None` when no PostgreSQL server is configured: a missing peer.
    pub async fn create() -> Option<Database> {
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
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("overcast_cluster_{}_{nanos}", std::process::id());
        let admin = AnyPool::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
        Some(Database {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        })
    }

    /// A pool on the database, for a test that reads rows directly.
    pub async fn pool(&self) -> AnyPool {
        AnyPool::connect(&self.url).await.unwrap()
    }

    /// Drops the database (its connections ended first).
    pub async fn drop_database(&self) {
        let Ok(admin) = AnyPool::connect(&self.admin_url).await else {
            return;
        };
        for _ in 0..40 {
            let force = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if admin.execute(force.as_str()).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        admin.close().await;
    }

    /// [`Database::drop_database`] from synchronous code (a Drop).
    pub fn drop_blocking(&self) {
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(self.drop_database());
            });
        });
    }
}
