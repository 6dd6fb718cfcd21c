//! Starting a test peer that is a program (moto, mimic, Prism): found
//! through an environment variable or under `<workspace>/.tools`, run on a
//! free loopback port with its output in a log file, killed when dropped,
//! and waited for until it answers. Absent or unable to run, it is a
//! missing peer (`testkit::peer_missing`, with how to install it): the test
//! fails under `OVERCAST_REQUIRE_PEERS` (`make test`), else skips.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// The workspace's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The program named by `env`, else `<workspace>/<local>` when it exists.
pub fn binary(env: &str, local: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    let local = workspace().join(local);
    local.exists().then_some(local)
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("cannot find a free loopback port: {e}"),
    }
}

/// How to wait for a started peer.
pub struct Ready {
    /// A URL that answers once the peer serves.
    pub probe: String,
    /// Longest wait before the peer counts as broken.
    pub within: Duration,
    /// Pause between two tries.
    pub every: Duration,
}

/// A running peer program; killed when dropped (also when a test panics).
pub struct PeerProcess {
    /// The process.
    pub child: Child,
    /// Where its output goes, for a failure's message.
    pub log: PathBuf,
    /// From spawn to the first answer.
    pub started_in: Duration,
}

/// Runs `command` (`name` in messages) with its output in `log`, and waits
/// until `ready.probe` answers. When it cannot run, a missing peer
/// (`testkit::peer_missing` with `install`: a panic when peers are
/// required, else `None` and the caller skips); a panic naming the log
/// when it exits or does not answer in time.
pub async fn start(
    name: &str,
    mut command: Command,
    log: PathBuf,
    install: &str,
    ready: Ready,
) -> Option<PeerProcess> {
    let out = match std::fs::File::create(&log) {
        Ok(out) => out,
        Err(e) => panic!("cannot create {name}'s log {}: {e}", log.display()),
    };
    let err = match out.try_clone() {
        Ok(err) => err,
        Err(e) => panic!("cannot share {name}'s log {}: {e}", log.display()),
    };
    let program = command.as_std().get_program().to_owned();
    let started = Instant::now();
    let spawned = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            let _ = std::fs::remove_file(&log);
            let what = format!("{name} at {} ({e})", Path::new(&program).display());
            testkit::peer_missing(&what, install);
            return None;
        }
    };
    let client = reqwest::Client::new();
    while started.elapsed() < ready.within {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{name} exited ({status}) before answering; see {}",
                log.display()
            );
        }
        if client.get(&ready.probe).send().await.is_ok() {
            return Some(PeerProcess {
                child,
                log,
                started_in: started.elapsed(),
            });
        }
        tokio::time::sleep(ready.every).await;
    }
    panic!(
        "{name} did not answer within {:?}; see {}",
        ready.within,
        log.display()
    );
}
