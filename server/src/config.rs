//! Settings, from flags or the environment.

use std::{net::SocketAddr, path::PathBuf};

/// Everything the server is configured with.
#[derive(clap::Args, Debug, Clone)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "OVERCAST_BIND",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub bind: SocketAddr,

    /// Directory for the SQLite database and the secret key.
    #[arg(
        long,
        env = "OVERCAST_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://FILE` or `postgres://USER:PASS@HOST/DB`.
    /// Default: `sqlite://<data-dir>/overcast.db`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// File holding the 32-byte key that encrypts stored secrets
    /// (created when missing). Default: `<data-dir>/secret.key`. Every
    /// instance on one database needs the same key: one whose key does not
    /// open the database's check value refuses to start.
    #[arg(long, env = "OVERCAST_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,

    /// Log filter, e.g. `info` or `overcast=debug,sqlx=warn`.
    #[arg(long, env = "OVERCAST_LOG", default_value = "info", global = true)]
    pub log_level: String,

    /// The URL operators reach Overcast at; `https://...` makes cookies `Secure`.
    /// Default: `http://<bind>`.
    #[arg(long, env = "OVERCAST_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Reverse proxies whose `X-Forwarded-For` / `X-Real-IP` name the
    /// client (addresses or networks, comma-separated: `127.0.0.1` for a
    /// proxy on this host). The client's address is what sign-in
    /// throttling and the audit log go by; from any other peer, these
    /// headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "OVERCAST_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,

    /// Directory holding the built site (`pkg/` with the WebAssembly, CSS,
    /// and the public assets).
    #[arg(
        long,
        env = "OVERCAST_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,

    /// Most shell sessions (commands and terminals) one account may have
    /// open at once.
    #[arg(
        long,
        env = "OVERCAST_MAX_SHELL_SESSIONS",
        default_value_t = 8,
        global = true
    )]
    pub max_shell_sessions: usize,
    /// How many seconds a post-deploy script waits for its new machine to
    /// answer over SSH before it is given up.
    #[arg(
        long,
        env = "OVERCAST_SCRIPT_WAIT",
        default_value_t = 900,
        global = true
    )]
    pub script_wait: u64,
    /// How many seconds one request to a cloud provider may take; a
    /// backend's whole poll, retries included, gets no longer (a poll that
    /// gets no answer in that time marks the backend `error` at once).
    #[arg(
        long,
        env = "OVERCAST_PROVIDER_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub provider_timeout: u64,
    /// How many seconds a stopping server (SIGTERM, Ctrl-C) lets work under
    /// way finish (requests, polls, script runs) before it ends the rest
    /// and releases its leases for another instance to take over.
    #[arg(
        long,
        env = "OVERCAST_SHUTDOWN_GRACE",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_grace: u64,
    /// How many milliseconds a session's Machines page, once rendered, is
    /// served again as it is when nothing it shows is known to have
    /// changed (0: every view renders it anew).
    #[arg(
        long,
        env = "OVERCAST_PAGE_CACHE_MS",
        default_value_t = 1000,
        global = true
    )]
    pub page_cache_ms: u64,
}

impl Settings {
    /// Settings for a server on `bind` keeping its data in `data_dir`
    /// (used by tests and benchmarks).
    pub fn for_data_dir(data_dir: PathBuf, bind: SocketAddr) -> Self {
        Self {
            bind,
            data_dir,
            database_url: None,
            secret_key_file: None,
            log_level: "warn".into(),
            public_url: None,
            trusted_proxies: Vec::new(),
            site_root: PathBuf::from("target/site"),
            max_shell_sessions: 8,
            script_wait: 900,
            provider_timeout: 30,
            shutdown_grace: 30,
            page_cache_ms: 1000,
        }
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("overcast.db").display()))
    }

    /// The secret-key file in force.
    pub fn secret_key_file(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// The public URL in force.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
    }
}
