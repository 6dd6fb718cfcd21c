//! moto's server on a free loopback port: the stateful EC2 peer (see
//! `scripts/peers.sh`), with AMI and instance-type validation on.
//!
//! Found through `OVERCAST_MOTO` (set by `scripts/peers.sh`'s
//! `ensure_moto`), else `<workspace>/.tools/moto/bin/moto_server`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

const INSTALL: &str = "source scripts/peers.sh && ensure_moto (python3 -m venv .tools/moto \
                       && .tools/moto/bin/pip install 'moto[ec2,server]')";

/// A running moto server; killed when dropped (also when a test panics).
pub struct Moto {
    /// `http://127.0.0.1:<port>/`.
    pub url: String,
    /// How long it took to answer its first request.
    pub started_in: Duration,
    child: Child,
    log: PathBuf,
}

fn moto_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OVERCAST_MOTO") {
        return Some(PathBuf::from(path));
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server");
    local.exists().then_some(local)
}

impl Moto {
    /// Starts moto and waits until it answers, or says why it cannot and
    /// returns `None` (the caller skips).
    pub async fn start() -> Option<Moto> {
        let Some(binary) = moto_binary() else {
            eprintln!("skipped: moto is not installed; run: {INSTALL}");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let log = std::env::temp_dir().join(format!("overcast-moto-{port}.log"));
        let out = std::fs::File::create(&log).ok()?;
        let err = out.try_clone().ok()?;
        let started = Instant::now();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ENABLE_AMI_VALIDATION", "true")
            .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&log);
                eprintln!(
                    "skipped: cannot run {} ({e}); run: {INSTALL}",
                    binary.display()
                );
                return None;
            }
        };
        let mut moto = Moto {
            url: format!("http://127.0.0.1:{port}/"),
            started_in: Duration::ZERO,
            child,
            log,
        };
        moto.wait_ready(started).await;
        Some(moto)
    }

    async fn wait_ready(&mut self, started: Instant) {
        let probe = format!("{}moto-api/", self.url);
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto exited ({status}) before answering; see {}",
                    self.log.display()
                );
            }
            if client.get(&probe).send().await.is_ok() {
                self.started_in = started.elapsed();
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "moto did not answer within 60 s; see {}",
            self.log.display()
        );
    }

    /// Stops moto and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_file(&self.log);
    }
}
