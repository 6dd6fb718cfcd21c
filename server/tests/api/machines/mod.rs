//! Keys, the bare-metal backend, machines and the shell, against a real
//! sshd on loopback. Without sshd (`ssh::testing::Sshd::start`, through
//! `testkit::peer_missing`): skipped, saying how to get it, under a plain
//! `cargo test`; failed under `OVERCAST_REQUIRE_PEERS` (`make test`).

mod backends;
mod bare_metal;
pub(crate) mod digitalocean;
pub mod ec2;
mod ec2_mist;
mod faults;
mod keys;
mod keys_deploy;
#[cfg(feature = "libvirt")]
mod libvirt;
#[cfg(feature = "libvirt")]
mod page;
mod probe;
mod scripts;
mod shell;
mod shell_access;
mod shell_limits;
mod terminal;
#[cfg(feature = "libvirt")]
mod wizard;

use reqwest::Method;
use serde_json::{json, Value};
use server::config::Settings;
use ssh::{testing::Sshd, KeyAlgorithm, KeyPair};

use crate::helpers::*;

/// A signed-in master, a running sshd, and a key it accepts.
pub struct Lab {
    pub app: TestApp,
    pub sshd: Sshd,
    pub key: KeyPair,
}

impl Lab {
    /// `None` when sshd cannot run here and the test may skip (a panic
    /// instead under `OVERCAST_REQUIRE_PEERS`).
    pub async fn new() -> Option<Lab> {
        Self::with_settings(|_| {}).await
    }

    /// [`Lab::new`] with the server's settings adjusted first.
    pub async fn with_settings(adjust: impl FnOnce(&mut Settings)) -> Option<Lab> {
        let sshd = Sshd::start()?;
        let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
        sshd.authorize(&key.public_openssh());
        let app = TestApp::signed_in_with(adjust).await;
        Some(Lab { app, sshd, key })
    }

    /// Imports the lab key as `name`.
    pub async fn import_key(&self, name: &str) {
        let res = self
            .app
            .api(
                Method::PUT,
                "/keys",
                Some(json!({"id": name, "priv": self.key.private_openssh()})),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }

    /// Imports the key and adds the sshd as a bare-metal backend; returns
    /// (backend id, machine id).
    pub async fn bare_metal(&self, title: &str) -> (String, String) {
        self.import_key("lab").await;
        let res = self
            .app
            .api(
                Method::POST,
                "/backends",
                Some(json!({
                    "title": title,
                    "provider": "bare_metal",
                    "machine_ip": "127.0.0.1",
                    "machine_key": "lab",
                    "machine_user": self.sshd.user,
                    "machine_port": self.sshd.port,
                })),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let backend: Value = res.json().await.unwrap();
        let backend_id = backend["id"].as_str().unwrap().to_owned();
        let machines: Value = self
            .app
            .api(
                Method::GET,
                &format!("/backends/{backend_id}/machines"),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        let machine_id = machines[0]["id"].as_str().unwrap().to_owned();
        (backend_id, machine_id)
    }
}
