//! The bare-metal driver: a backend whose one machine is the host, reached
//! over SSH with the installation's keys. It answers the same trait as the
//! cloud drivers, so polls, actions and `can_*` treat it like any other.

use std::time::Duration;

use async_trait::async_trait;
use cloud::{
    Action, Capabilities, CloudDriver, CreateMachine, DriverError, Image, Location, Machine,
    MachineState, Size,
};
use store::backends::{StoredBackend, StoredMachine};

use super::state::host_state;
use crate::{shell, Services};

/// How long the host's SSH port may take to accept a connection.
const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// A bare-metal host as a driver. Built for each use (it holds the
/// service's handles, so it is not kept in the driver cache).
pub struct BareMetal {
    services: Services,
    backend: StoredBackend,
    host: String,
    port: u16,
    reboot_command: String,
}

impl std::fmt::Debug for BareMetal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareMetal")
            .field("backend", &self.backend.id)
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl BareMetal {
    /// The driver of a stored bare-metal backend.
    pub fn new(services: &Services, backend: &StoredBackend) -> Self {
        let config: serde_json::Value = serde_json::from_str(&backend.config).unwrap_or_default();
        BareMetal {
            services: services.clone(),
            backend: backend.clone(),
            host: config["machine_ip"].as_str().unwrap_or_default().to_owned(),
            port: config["machine_port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(22),
            reboot_command: config["reboot_command"]
                .as_str()
                .unwrap_or("reboot")
                .to_owned(),
        }
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Whether the host's SSH port accepts a connection.
    async fn reachable(&self) -> Result<(), String> {
        let addr = self.address();
        match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect(&addr)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("cannot reach {addr}: {e}")),
            Err(_) => Err(format!(
                "{addr} did not answer within {} s",
                REACH_TIMEOUT.as_secs()
            )),
        }
    }

    async fn stored(&self) -> Result<Vec<StoredMachine>, DriverError> {
        self.services
            .db
            .machines_of(&self.backend.id)
            .await
            .map_err(|e| DriverError::Unavailable(format!("cannot read the host: {e}")))
    }

    async fn stored_one(&self, machine_id: &str) -> Result<StoredMachine, DriverError> {
        self.services
            .db
            .machine(&self.backend.id, machine_id)
            .await
            .map_err(|e| DriverError::Unavailable(format!("cannot read the host: {e}")))?
            .ok_or_else(|| DriverError::NotFound(format!("machine {machine_id:?}")))
    }

    /// The host as listed: its stored name and address, its state as
    /// [`host_state`] finds it, and what the listing keeps (`ssh_port`, and
    /// `rebooted_at` while a reboot may be under way).
    fn listed(&self, m: &StoredMachine, state: MachineState) -> Machine {
        let rebooted_at = rebooted_at(m);
        Machine {
            id: m.id.clone(),
            name: m.name.clone(),
            state,
            public_ips: serde_json::from_str(&m.public_ips).unwrap_or_default(),
            private_ips: serde_json::from_str(&m.private_ips).unwrap_or_default(),
            size: None,
            image: None,
            location: None,
            tags: Vec::new(),
            extra: serde_json::json!({ "ssh_port": self.port, "rebooted_at": rebooted_at }),
        }
    }

    /// Runs the reboot command, detached, as root or through `sudo -n`: the
    /// reboot starts a moment after the command returns, so the SSH session
    /// ends cleanly first.
    async fn reboot(&self, machine: &StoredMachine) -> Result<(), DriverError> {
        let opened = shell::connect_machine(&self.services, machine, &self.backend, None)
            .await
            .map_err(|e| DriverError::Unavailable(e.to_string()))?;
        let user = opened.target.user.clone();
        let privileged = if user == "root" {
            self.reboot_command.clone()
        } else if shell::detect_sudo(&opened.connection, &user).await {
            format!("sudo -n {}", self.reboot_command)
        } else {
            opened.connection.close().await;
            return Err(DriverError::Refused(format!(
                "rebooting needs root or passwordless sudo, and {user} has neither on this host"
            )));
        };
        let detached = format!(
            "nohup sh -c '{}' >/dev/null 2>&1 &",
            format!("sleep 1; {privileged}").replace('\'', "'\\''")
        );
        let mut exec = opened.connection.exec(&detached).await.map_err(|e| {
            DriverError::Unavailable(shell::connect_error(e, &opened.target).to_string())
        })?;
        let mut code = None;
        while let Some(out) = exec.next().await {
            if let ssh::Output::Exit(c) = out {
                code = Some(c);
            }
        }
        opened.connection.close().await;
        match code {
            Some(0) => self.remember_reboot(machine).await,
            other => Err(DriverError::Unavailable(format!(
                "the reboot command could not be started (exit {other:?})"
            ))),
        }
    }

    /// Notes when the host was told to reboot, so polls (of any instance)
    /// can tell a reboot under way from one long over.
    async fn remember_reboot(&self, machine: &StoredMachine) -> Result<(), DriverError> {
        let mut m = machine.clone();
        let mut extra: serde_json::Value = serde_json::from_str(&m.extra).unwrap_or_default();
        if !extra.is_object() {
            extra = serde_json::json!({});
        }
        extra["provider"]["rebooted_at"] = self.services.now().into();
        m.extra = extra.to_string();
        self.services
            .db
            .upsert_machine(&m)
            .await
            .map_err(|e| DriverError::Unavailable(format!("cannot store the reboot: {e}")))?;
        crate::events::changes::machine(
            &self.services,
            domain::events::EventKind::MachineChanged,
            &self.backend.id,
            &m.id,
        )
        .await;
        Ok(())
    }
}

/// When the host was last told to reboot (kept in its listing's details).
fn rebooted_at(m: &StoredMachine) -> Option<i64> {
    let extra: serde_json::Value = serde_json::from_str(&m.extra).unwrap_or_default();
    extra["provider"]["rebooted_at"].as_i64()
}

#[async_trait]
impl CloudDriver for BareMetal {
    fn provider(&self) -> &'static str {
        cloud::bare_metal::PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        cloud::bare_metal::CAPABILITIES
    }

    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.reachable().await.map_err(DriverError::Unavailable)
    }

    /// The host, when its SSH port answers. When it does not, the poll
    /// fails (the backend is `offline`, saying why) and the host's own
    /// state is stored here: `rebooting` while a reboot may still be under
    /// way, `unknown` otherwise.
    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        let stored = self.stored().await?;
        let now = self.services.now();
        let reached = self.reachable().await;
        let up = reached.is_ok();
        let state = |m: &StoredMachine| {
            host_state(
                MachineState::parse(&m.state).unwrap_or_default(),
                rebooted_at(m),
                up,
                now,
            )
        };
        match reached {
            Ok(()) => Ok(stored.iter().map(|m| self.listed(m, state(m))).collect()),
            Err(reason) => {
                for m in &stored {
                    let state = state(m);
                    if state.as_str() != m.state {
                        self.services
                            .db
                            .set_machine_state(&self.backend.id, &m.id, state.as_str())
                            .await
                            .map_err(|e| {
                                DriverError::Unavailable(format!(
                                    "cannot store the host's state: {e}"
                                ))
                            })?;
                        crate::events::changes::machine(
                            &self.services,
                            domain::events::EventKind::MachineChanged,
                            &self.backend.id,
                            &m.id,
                        )
                        .await;
                    }
                }
                Err(DriverError::Unavailable(reason))
            }
        }
    }

    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        Ok(Vec::new())
    }

    async fn list_images(&self, _search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        Ok(Vec::new())
    }

    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        Ok(Vec::new())
    }

    async fn create_machine(&self, _request: &CreateMachine) -> Result<Machine, DriverError> {
        Err(DriverError::Unsupported {
            provider: cloud::bare_metal::PROVIDER,
            what: "create".into(),
        })
    }

    async fn machine_action(&self, machine_id: &str, action: Action) -> Result<(), DriverError> {
        match action {
            Action::Reboot => self.reboot(&self.stored_one(machine_id).await?).await,
            other => Err(DriverError::Unsupported {
                provider: cloud::bare_metal::PROVIDER,
                what: other.as_str().into(),
            }),
        }
    }

    async fn set_tags(&self, _machine_id: &str, _tags: &[String]) -> Result<(), DriverError> {
        Err(DriverError::Unsupported {
            provider: cloud::bare_metal::PROVIDER,
            what: "tags".into(),
        })
    }
}
