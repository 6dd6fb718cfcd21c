//! Three (or one) `overcast serve` processes on one fresh PostgreSQL
//! database behind nginx, as an operator would run them; everything killed
//! and the database dropped when the `Cluster` is dropped, panics included.

pub mod nginx;
pub mod pg;
pub mod process;
pub mod provider;
// The api tests' SSE reader, one file for both (they use what this
// target does not: `open`, `next_event`).
#[path = "../../api/events/stream.rs"]
#[allow(dead_code)]
pub mod sse;

use std::time::Duration;

use reqwest::{redirect::Policy, Client};
use serde_json::{json, Value};

use nginx::Nginx;
use pg::Database;
use process::{Instance, Launch};

pub const MASTER_EMAIL: &str = "ops@example.com";
pub const MASTER_PASSWORD: &str = "correct horse battery staple";

/// The instances, nginx before them, and the database behind them.
pub struct Cluster {
    pub instances: Vec<Instance>,
    pub nginx: Nginx,
    pub db: Database,
    /// A master's API token (`Token <t>`), made through nginx.
    pub token: String,
    /// The instances' data directories and nginx's, removed at the end.
    pub _dir: tempfile::TempDir,
    db_dropped: bool,
}

/// How the instances are started.
#[derive(Clone, Copy)]
pub struct Options {
    pub instances: usize,
    pub provider_timeout: u64,
    pub shutdown_grace: u64,
    /// How long a rendered Machines page is kept (`--page-cache-ms`).
    pub page_cache_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            instances: 3,
            provider_timeout: 2,
            shutdown_grace: 2,
            page_cache_ms: 1000,
        }
    }
}

impl Cluster {
    /// `None` when PostgreSQL or nginx is missing (a skip, or a failure
    /// under `OVERCAST_REQUIRE_PEERS`).
    pub async fn start(options: Options) -> Option<Cluster> {
        let nginx_bin = nginx::binary()?;
        let db = Database::create().await?;
        let dir = tempfile::tempdir().unwrap();
        let nginx_port = Nginx::pick_port();
        let launch = |n: usize| Launch {
            database_url: db.url.clone(),
            data_dir: dir.path().join(format!("instance-{n}/data")),
            public_url: format!("http://127.0.0.1:{nginx_port}"),
            provider_timeout: options.provider_timeout,
            shutdown_grace: options.shutdown_grace,
            page_cache_ms: options.page_cache_ms,
        };
        // The first instance's start creates the schema and the key; the
        // others get a copy of its key file, as an operator would copy it.
        let first = launch(0);
        process::create_master(&first, MASTER_EMAIL, MASTER_PASSWORD);
        let key = std::fs::read(first.data_dir.join("secret.key")).unwrap();
        let mut instances = Vec::new();
        for n in 0..options.instances {
            let launch = launch(n);
            std::fs::create_dir_all(&launch.data_dir).unwrap();
            std::fs::write(launch.data_dir.join("secret.key"), &key).unwrap();
            instances.push(Instance::spawn(&launch));
        }
        for instance in &mut instances {
            if let Err(e) = instance.ready(Duration::from_secs(60)).await {
                panic!("an instance did not start: {e}");
            }
        }
        let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
        let nginx = Nginx::start(&nginx_bin, &dir.path().join("nginx"), nginx_port, &ports).await;
        let mut cluster = Cluster {
            instances,
            nginx,
            db,
            token: String::new(),
            _dir: dir,
            db_dropped: false,
        };
        let browser = cluster.sign_in().await;
        let res = browser
            .client
            .post(cluster.nginx.url("/tokens"))
            .header("accept", "application/json")
            .header("x-csrftoken", browser.csrf())
            .json(&json!({"name": "cluster"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let made: Value = res.json().await.unwrap();
        cluster.token = format!("Token {}", made["token"].as_str().unwrap());
        Some(cluster)
    }

    /// A browser (cookie jar, no redirects) signed in as the master through
    /// nginx.
    pub async fn sign_in(&self) -> Browser {
        let browser = Browser::new();
        let res = browser
            .client
            .post(self.nginx.url("/api/sign_in"))
            .form(&[("email", MASTER_EMAIL), ("password", MASTER_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "sign in: {}",
            res.status()
        );
        browser
    }

    /// A request with the master's token.
    pub fn api(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        Client::new()
            .request(method, url)
            .header("authorization", &self.token)
            .header("accept", "application/json")
            .timeout(Duration::from_secs(20))
    }

    /// The instance whose id is `id`.
    pub fn by_id(&mut self, id: &str) -> &mut Instance {
        let ids: Vec<String> = self.instances.iter().map(|i| i.id.clone()).collect();
        self.instances
            .iter_mut()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("no instance {id} among {ids:?}"))
    }

    /// Every instance's log, for a failure's message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for i in &self.instances {
            out.push_str(&format!("--- {} (:{})\n{}\n", i.id, i.port, i.log()));
        }
        out + "--- nginx\n" + &self.nginx.error_log()
    }

    /// Stops everything and drops the database.
    pub async fn finish(mut self) {
        for instance in &mut self.instances {
            instance.kill();
        }
        self.db.drop_database().await;
        self.db_dropped = true;
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for instance in &mut self.instances {
            instance.kill();
        }
        if !self.db_dropped {
            self.db.drop_blocking();
        }
    }
}

/// A browser: a client keeping cookies (sent to every port of 127.0.0.1,
/// as a browser does: so one session reaches each instance directly too)
/// and following no redirects.
pub struct Browser {
    pub client: Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Browser {
    pub fn new() -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .redirect(Policy::none())
            .cookie_provider(jar.clone())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Browser { client, jar }
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = "http://127.0.0.1/".parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    /// The `Cookie` header it sends (for the bench's load generator).
    #[allow(dead_code)]
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = "http://127.0.0.1/".parse().unwrap();
        self.jar
            .cookies(&url)
            .and_then(|h| h.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The CSRF token (the `csrftoken` cookie).
    pub fn csrf(&self) -> String {
        self.cookie("csrftoken").expect("a csrftoken cookie")
    }
}
