//! Rackspace's mimic on a free loopback port: Keystone v2
//! (`/identity/v2.0/tokens`, a Rackspace catalogue) and a Nova that keeps
//! servers (installed by `scripts/peers.sh`). It validates no token.
//!
//! Run as `twistd -n --pidfile= mimic --realtime --listen tcp:PORT:...`.
//! Found through `OVERCAST_MIMIC` (twistd, set by `scripts/peers.sh`'s
//! `ensure_mimic`), else `<workspace>/.tools/mimic/bin/twistd`.

use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;

use crate::peer_process::{self, PeerProcess, Ready};

const INSTALL: &str = "source scripts/peers.sh && ensure_mimic \
                       (python3 -m venv .tools/mimic && .tools/mimic/bin/pip install mimic==2.2.0)";

/// A running mimic; killed when dropped (also when a test panics).
pub struct Mimic {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Where mimic's output goes, for a failure's message.
    pub log: PathBuf,
    process: PeerProcess,
}

impl Mimic {
    /// Starts mimic and waits until it answers. Missing, it is
    /// `testkit::peer_missing`: a panic when peers are required, else
    /// `None` (the caller skips).
    pub async fn start() -> Option<Mimic> {
        let Some(binary) = peer_process::binary("OVERCAST_MIMIC", ".tools/mimic/bin/twistd") else {
            testkit::peer_missing("mimic", INSTALL);
            return None;
        };
        let port = peer_process::free_port();
        let url = format!("http://127.0.0.1:{port}");
        let dir = std::env::temp_dir().join(format!("overcast-mimic-{port}"));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot make mimic's folder {}: {e}", dir.display());
        }
        let mut command = Command::new(&binary);
        command
            // --realtime: timed changes (a reboot's 3 s) follow the clock,
            // not mimic's /mimic/v1.1/tick endpoint.
            .args(["-n", "--pidfile=", "mimic", "--realtime", "--listen"])
            .arg(format!("tcp:{port}:interface=127.0.0.1"))
            .current_dir(&dir);
        let ready = Ready {
            probe: format!("{url}/identity/v2.0/tokens"),
            within: Duration::from_secs(60),
            every: Duration::from_millis(100),
        };
        let process =
            peer_process::start("mimic", command, dir.join("mimic.log"), INSTALL, ready).await?;
        eprintln!("figure: mimic ready in {:?}", process.started_in);
        Some(Mimic {
            url,
            log: process.log.clone(),
            process,
        })
    }

    /// The Keystone v2 URL to give a driver as its `apiurl`.
    pub fn identity(&self) -> String {
        format!("{}/identity/v2.0", self.url)
    }

    /// Stops mimic and waits for it (its folder goes when it is dropped).
    pub async fn stop(mut self) {
        let _ = self.process.child.kill().await;
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
