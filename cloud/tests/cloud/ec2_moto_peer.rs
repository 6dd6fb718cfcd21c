//! moto's server on a free loopback port: the stateful EC2 peer (see
//! `scripts/peers.sh`), with AMI and instance-type validation on.
//!
//! Found through `OVERCAST_MOTO` (set by `scripts/peers.sh`'s
//! `ensure_moto`), else `<workspace>/.tools/moto/bin/moto_server`.

use std::time::Duration;

use tokio::process::Command;

use crate::peer_process::{self, PeerProcess, Ready};

const INSTALL: &str = "source scripts/peers.sh && ensure_moto (python3 -m venv .tools/moto \
                       && .tools/moto/bin/pip install 'moto[ec2,server]')";

/// A running moto server; killed when dropped (also when a test panics).
pub struct Moto {
    /// `http://127.0.0.1:<port>/`.
    pub url: String,
    /// How long it took to answer its first request.
    pub started_in: Duration,
    process: PeerProcess,
}

impl Moto {
    /// Starts moto and waits until it answers. Missing, it is
    /// `testkit::peer_missing`: a panic when peers are required, else
    /// `None` (the caller skips).
    pub async fn start() -> Option<Moto> {
        let Some(binary) = peer_process::binary("OVERCAST_MOTO", ".tools/moto/bin/moto_server")
        else {
            testkit::peer_missing("moto", INSTALL);
            return None;
        };
        let port = peer_process::free_port();
        let url = format!("http://127.0.0.1:{port}/");
        let mut command = Command::new(&binary);
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ENABLE_AMI_VALIDATION", "true")
            .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
        let log = std::env::temp_dir().join(format!("overcast-moto-{port}.log"));
        let ready = Ready {
            probe: format!("{url}moto-api/"),
            within: Duration::from_secs(60),
            every: Duration::from_millis(50),
        };
        let process = peer_process::start("moto", command, log, INSTALL, ready).await?;
        Some(Moto {
            url,
            started_in: process.started_in,
            process,
        })
    }

    /// Stops moto and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.process.child.kill().await;
        let _ = std::fs::remove_file(&self.process.log);
    }
}
