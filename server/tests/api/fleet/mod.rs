//! The fleet table (issue 14): one page of the machines across every
//! backend through its three doors (`GET /machines`, the server function
//! `machines/fleet`, the paged `GET /backends/{b}/machines`), its filters,
//! sort, counts and choices, the `can_*` every door hands out narrowed by
//! the caller's rights, and the columns each user saves. Each test runs on
//! SQLite, then on PostgreSQL (`OVERCAST_TEST_POSTGRES_URL`; a missing
//! peer otherwise).

mod columns;
mod create_on;
mod doors;
mod filters;
mod list_cache;
mod page_cache;
mod paging;
mod prices;
mod rights;
mod row_errors;
mod scan_cache;
mod stream;

mod stored_backend;
pub use stored_backend::do_backend;

use std::future::Future;

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{AnyPool, Executor};
use store::backends::StoredMachine;

use crate::{helpers::*, users::user_with_scope};

/// A PostgreSQL database made for one test.
pub struct Pg {
    pub url: String,
    admin_url: String,
    name: String,
}

impl Pg {
    /// `None` (a missing peer) when no PostgreSQL server is configured.
    pub async fn create() -> Option<Pg> {
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
        let name = format!("overcast_fleet_{}_{nanos}", std::process::id());
        let admin = AnyPool::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
        Some(Pg {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        })
    }

    /// Drops the database (connections still closing are ended).
    pub async fn drop_database(self) {
        let admin = AnyPool::connect(&self.admin_url).await.unwrap();
        for _ in 0..40 {
            let force = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if admin.execute(force.as_str()).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        admin.close().await;
    }
}

/// Runs `test` on a signed-in server over SQLite, then over PostgreSQL.
pub async fn on_each_engine<F, Fut>(test: F)
where
    F: Fn(TestApp, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    on_each_engine_at(|app, _, engine| test(app, engine)).await;
}

/// [`on_each_engine`], with the database's URL (for a second connection
/// to it, standing for another instance sharing the database).
pub async fn on_each_engine_at<F, Fut>(test: F)
where
    F: Fn(TestApp, String, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = TestApp::signed_in().await;
    let url = format!("sqlite://{}", app.data_dir().join("overcast.db").display());
    test(app, url, "sqlite").await;
    if let Some(pg) = Pg::create().await {
        let url = pg.url.clone();
        let app = TestApp::signed_in_with({
            let url = url.clone();
            move |s| s.database_url = Some(url)
        })
        .await;
        test(app, url, "postgres").await;
        pg.drop_database().await;
    }
}

/// What a seeded machine is like.
pub struct Seed {
    pub name: String,
    pub state: &'static str,
    pub address: String,
    pub size: &'static str,
    pub location: &'static str,
    pub tags: Vec<String>,
    /// When it was (first) seen, Unix ms.
    pub seen_at: i64,
}

impl Seed {
    /// The `n`th of a seeded fleet: names `web-0000`..., states running,
    /// stopped, running, error in turn, sizes and locations in cycles.
    pub fn nth(n: usize) -> Seed {
        Seed {
            name: format!("web-{n:04}"),
            state: ["running", "stopped", "running", "error"][n % 4],
            address: format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256),
            size: ["s-1vcpu-1gb", "s-2vcpu-2gb", "s-4vcpu-8gb"][n % 3],
            location: ["ams3", "fra1", "nyc1", "sfo3", "lon1"][n % 5],
            tags: vec![format!("Env={}", ["prod", "dev"][n % 2])],
            seen_at: 1_700_000_000_000 + n as i64 * 1000,
        }
    }

    fn stored(&self, backend_id: &str, id: &str) -> StoredMachine {
        StoredMachine {
            backend_id: backend_id.to_owned(),
            id: id.to_owned(),
            name: self.name.clone(),
            state: self.state.to_owned(),
            public_ips: json!([self.address]).to_string(),
            private_ips: "[]".into(),
            ssh_port: 22,
            extra: json!({
                "size": self.size, "image": "ubuntu-24-04-x64", "location": self.location,
                "tags": self.tags, "provider": {},
            })
            .to_string(),
            seen_at: self.seen_at,
        }
    }
}

/// Adds a DigitalOcean backend (disabled: never polled, so its machines
/// stay as written) with the machines `seeds` describe, ids `<id>-m<n>`,
/// written straight to the store.
pub async fn seed_backend(app: &TestApp, id: &str, title: &str, seeds: &[Seed]) {
    let backend = do_backend(id, title, false);
    let machines: Vec<StoredMachine> = seeds
        .iter()
        .enumerate()
        .map(|(n, s)| s.stored(id, &format!("{id}-m{n:04}")))
        .collect();
    app.services()
        .db
        .insert_backend(&backend, &[])
        .await
        .unwrap();
    app.services()
        .db
        .replace_machines(id, &machines)
        .await
        .unwrap();
}

/// `GET /machines?<query>` as the signed-in master: the page and its
/// headers.
pub async fn fleet(app: &TestApp, query: &str) -> (Value, reqwest::header::HeaderMap) {
    let res = app.get_json(&format!("/machines?{query}")).await;
    assert_eq!(res.status(), 200, "/machines?{query}");
    let headers = res.headers().clone();
    (res.json().await.unwrap(), headers)
}

/// The names of a page's rows, in order.
pub fn names(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["machine"]["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A user named `name` (`<name>@example.com`, [`MASTER_PASSWORD`]) with
/// one role of `actions` on every resource; their Basic credentials.
pub async fn user_with(app: &TestApp, name: &str, actions: &[&str]) -> String {
    let scope = (!actions.is_empty()).then(|| {
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": ["*"]}
        ]})
    });
    user_with_scope(app, name, scope).await
}
