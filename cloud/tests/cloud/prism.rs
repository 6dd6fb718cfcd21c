//! Stoplight Prism serving DigitalOcean's OpenAPI description on a free
//! loopback port: a stateless contract peer (installed by `scripts/peers.sh`).
//!
//! Found through `OVERCAST_PRISM` (set by `scripts/peers.sh`'s
//! `ensure_prism`), else `<workspace>/.tools/node_modules/.bin/prism`; the
//! description through `OVERCAST_DO_OPENAPI` (the YAML file or a folder
//! holding `specification/DigitalOcean-public.v2.yaml`), else
//! `<workspace>/../shared/fixtures/digitalocean-openapi` when present.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

const INSTALL: &str = "source scripts/peers.sh && ensure_prism \
                       (npm install --prefix .tools @stoplight/prism-cli@5.16.0)";
const SPEC: &str = "specification/DigitalOcean-public.v2.yaml";

/// A running Prism; killed when dropped (also when a test panics).
pub struct Prism {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    child: Child,
    /// Where Prism's output goes, for a failure's message.
    pub log: PathBuf,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn prism_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OVERCAST_PRISM") {
        return Some(PathBuf::from(path));
    }
    let local = workspace().join(".tools/node_modules/.bin/prism");
    local.exists().then_some(local)
}

fn spec() -> Option<PathBuf> {
    let given = std::env::var_os("OVERCAST_DO_OPENAPI").map(PathBuf::from);
    let root = given.unwrap_or_else(|| workspace().join("../shared/fixtures/digitalocean-openapi"));
    [
        root.clone(),
        root.join(SPEC),
        root.join("DigitalOcean-public.v2.yaml"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

impl Prism {
    /// Starts Prism and waits until it answers, or says why it cannot and
    /// returns `None` (the caller skips).
    pub async fn start() -> Option<Prism> {
        let Some(binary) = prism_binary() else {
            eprintln!("skipped: Prism is not installed; run: {INSTALL}");
            return None;
        };
        let Some(spec) = spec() else {
            eprintln!(
                "skipped: DigitalOcean's OpenAPI description not found; set OVERCAST_DO_OPENAPI \
                 to a checkout of https://github.com/digitalocean/openapi"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let log = std::env::temp_dir().join(format!("overcast-prism-{port}.log"));
        let out = std::fs::File::create(&log).ok()?;
        let err = out.try_clone().ok()?;
        let child = Command::new(&binary)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                eprintln!(
                    "skipped: cannot run {} ({e}); run: {INSTALL}",
                    binary.display()
                );
                return None;
            }
        };
        let mut prism = Prism {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        prism.wait_ready().await;
        Some(prism)
    }

    async fn wait_ready(&mut self) {
        let started = Instant::now();
        let probe = format!("{}/v2/account", self.url);
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(90) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "Prism exited ({status}) before answering; see {}",
                    self.log.display()
                );
            }
            if client.get(&probe).send().await.is_ok() {
                eprintln!("Prism ready in {:?}", started.elapsed());
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "Prism did not answer within 90 s; see {}",
            self.log.display()
        );
    }

    /// Stops Prism and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_file(&self.log);
    }
}
