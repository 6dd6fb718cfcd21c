//! Rackspace's mimic on a free loopback port: Keystone v2
//! (`/identity/v2.0/tokens`, a Rackspace catalogue) and a Nova that keeps
//! servers (installed by `scripts/peers.sh`). It validates no token.
//!
//! Run as `twistd -n --pidfile= mimic --realtime --listen tcp:PORT:...`.
//! Found through `OVERCAST_MIMIC` (twistd, set by `scripts/peers.sh`'s
//! `ensure_mimic`), else `<workspace>/.tools/mimic/bin/twistd`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

const INSTALL: &str = "source scripts/peers.sh && ensure_mimic \
                       (python3 -m venv .tools/mimic && .tools/mimic/bin/pip install mimic==2.2.0)";

/// A running mimic; killed when dropped (also when a test panics).
pub struct Mimic {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    child: Child,
    /// Where mimic's output goes, for a failure's message.
    pub log: PathBuf,
    /// From spawn to the first answer.
    pub startup: Duration,
}

fn twistd() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OVERCAST_MIMIC") {
        return Some(PathBuf::from(path));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let local = workspace.join(".tools/mimic/bin/twistd");
    local.exists().then_some(local)
}

impl Mimic {
    /// Starts mimic and waits until it answers, or says why it cannot and
    /// returns `None` (the caller skips).
    pub async fn start() -> Option<Mimic> {
        let Some(binary) = twistd() else {
            eprintln!("skipped: mimic is not installed; run: {INSTALL}");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let dir = std::env::temp_dir().join(format!("overcast-mimic-{port}"));
        std::fs::create_dir_all(&dir).ok()?;
        let log = dir.join("mimic.log");
        let out = std::fs::File::create(&log).ok()?;
        let err = out.try_clone().ok()?;
        let started = Instant::now();
        let child = Command::new(&binary)
            // --realtime: timed changes (a reboot's 3 s) follow the clock,
            // not mimic's /mimic/v1.1/tick endpoint.
            .args(["-n", "--pidfile=", "mimic", "--realtime", "--listen"])
            .arg(format!("tcp:{port}:interface=127.0.0.1"))
            .current_dir(&dir)
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
        let mut mimic = Mimic {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
            startup: Duration::ZERO,
        };
        mimic.wait_ready(started).await;
        Some(mimic)
    }

    async fn wait_ready(&mut self, started: Instant) {
        let probe = format!("{}/identity/v2.0/tokens", self.url);
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "mimic exited ({status}) before answering; see {}",
                    self.log.display()
                );
            }
            if client.get(&probe).send().await.is_ok() {
                self.startup = started.elapsed();
                eprintln!("figure: mimic ready in {:?}", self.startup);
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "mimic did not answer within 60 s; see {}",
            self.log.display()
        );
    }

    /// The Keystone v2 URL to give a driver as its `apiurl`.
    pub fn identity(&self) -> String {
        format!("{}/identity/v2.0", self.url)
    }

    /// Stops mimic and waits for it (its folder goes when it is dropped).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

impl Drop for Mimic {
    /// Removes mimic's folder, unless a test failed (its log is named in
    /// the failure); `kill_on_drop` ends the process.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            if let Some(dir) = self.log.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}
