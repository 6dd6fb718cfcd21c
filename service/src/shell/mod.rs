//! SSH to machines: which key and user open a machine, the host key pinned
//! on first use, one-shot commands streamed as they run, and interactive
//! terminals. Every door (server function, mist.io shell route, terminal
//! websocket) goes through [`open`].

mod probe;
mod run;
mod sessions;
pub mod terminal;

pub use probe::{probe, Probed};
pub use run::{record_terminal, run, still_allowed, Utf8Stream};
pub use sessions::{SessionSlot, Sessions};

use std::time::{Duration, Instant};

use domain::{resource, ErrorKind};
use ssh::{ConnectError, Connection, HostKey, KeyPair, Output, Target};
use store::keys::{KeyMachine, StoredKey};

use crate::{authz, internal, keys, machines, Actor, Services};

/// How long a door streaming a command's output stays silent: after this it
/// writes something harmless, because a server learns that its client went
/// away (and so drops the stream, which stops the command) only by writing.
pub const IDLE_WRITE: Duration = Duration::from_secs(3);

/// How long connecting, the handshake and authentication may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An authenticated SSH connection to a machine.
pub struct Opened {
    /// The connection.
    pub connection: Connection,
    /// Where it connected, as which user.
    pub target: Target,
    /// The key's name.
    pub key: String,
    /// When connecting started.
    pub started: Instant,
    /// The account's session slot, freed on drop (none for the
    /// installation's own connections: a bare-metal host's reboot).
    pub slot: Option<SessionSlot>,
}

/// Turns an SSH failure into what the operator reads.
pub fn connect_error(e: ConnectError, target: &Target) -> ErrorKind {
    let message = match e {
        ConnectError::Unreachable(reason) if reason.starts_with("cannot reach") => reason,
        ConnectError::Unreachable(reason) => {
            format!("cannot reach {}:{}: {reason}", target.host, target.port)
        }
        ConnectError::Timeout => format!(
            "connecting to {}:{} timed out after {} s",
            target.host,
            target.port,
            CONNECT_TIMEOUT.as_secs()
        ),
        ConnectError::AuthRefused { user } => {
            format!("the machine refused the key for user {user:?}")
        }
        ConnectError::HostKeyChanged {
            expected,
            presented,
        } => {
            return ErrorKind::Conflict {
                message: format!(
                    "the host key of {}:{} changed: pinned {}, presented {}. Overcast refused \
                     to connect. If the change is expected (the machine was reinstalled), \
                     someone with edit:machine can accept the new key on the machine's page.",
                    target.host, target.port, expected.fingerprint, presented.fingerprint
                ),
            }
        }
        ConnectError::Channel(reason) | ConnectError::Protocol(reason) => {
            format!("SSH to {}:{} failed: {reason}", target.host, target.port)
        }
    };
    ErrorKind::Upstream { message }
}

/// Connects to `target` with `key`, checking the host key against
/// `pinned`; returns the presented host key too.
pub async fn connect_with(
    target: &Target,
    key: &KeyPair,
    pinned: Option<&HostKey>,
) -> Result<(Connection, HostKey), ConnectError> {
    ssh::connect(target, key, pinned, CONNECT_TIMEOUT).await
}

/// Whether `user` may run `sudo` without a password on `connection`.
pub async fn detect_sudo(connection: &Connection, user: &str) -> bool {
    if user == "root" {
        return true;
    }
    match connection.exec("sudo -n true").await {
        Ok(mut exec) => {
            let mut code = None;
            while let Some(out) = exec.next().await {
                if let Output::Exit(c) = out {
                    code = Some(c);
                }
            }
            code == Some(0)
        }
        Err(_) => false,
    }
}

struct Candidate {
    key: StoredKey,
    user: String,
    /// Known sudo, for a key already associated; found out otherwise.
    sudo: Option<bool>,
}

/// Connects to a machine the caller may open a shell on: the machine's
/// associated keys, most recently used first, then the default key as the
/// backend's user; pins the host key on first use and refuses a changed
/// one; records the association that worked.
pub async fn open(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<Opened, ErrorKind> {
    authz::authorize(
        actor,
        "shell:machine",
        &resource::machine(backend_id, machine_id),
    )?;
    connect_to(services, actor, backend_id, machine_id).await
}

/// [`open`] for a caller already authorised for what it will run: the
/// machine as the caller may see it, in one of the caller's session slots.
pub(crate) async fn connect_to(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<Opened, ErrorKind> {
    let (machine, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    let slot = services
        .shells
        .take(&actor.account_id, services.settings.max_shell_sessions)?;
    connect_machine(services, &machine, &backend, Some(slot)).await
}

/// Connects to a stored machine as the installation: its associated keys,
/// most recently used first, then the default key as the backend's user;
/// pins the host key on first use and refuses a changed one; records the
/// association that worked. Whoever calls it has decided who may (a
/// caller's rights through [`connect_to`], or a driver acting for an
/// operation already authorised).
pub(crate) async fn connect_machine(
    services: &Services,
    machine: &store::backends::StoredMachine,
    backend: &store::backends::StoredBackend,
    slot: Option<SessionSlot>,
) -> Result<Opened, ErrorKind> {
    let (backend_id, machine_id) = (backend.id.as_str(), machine.id.as_str());
    if !backend.enabled {
        return Err(ErrorKind::Conflict {
            message: format!("backend {:?} is disabled; enable it first", backend.title),
        });
    }
    let summary = machines::summary(machine, backend);
    let host = summary
        .public_ips
        .first()
        .or(summary.private_ips.first())
        .cloned()
        .ok_or_else(|| ErrorKind::Conflict {
            message: format!("machine {:?} has no address to connect to", machine.name),
        })?;
    let mut candidates = Vec::new();
    for a in services
        .db
        .keys_of_machine(backend_id, machine_id)
        .await
        .map_err(internal)?
    {
        if let Some(key) = services.db.key_by_id(&a.key_id).await.map_err(internal)? {
            candidates.push(Candidate {
                key,
                // Known once a login proved it; an association only
                // recorded (at creation, by hand) is found out on login.
                sudo: (a.last_used_at > 0).then_some(a.sudo),
                user: a.ssh_user,
            });
        }
    }
    if candidates.is_empty() {
        if let Some(key) = services.db.default_key().await.map_err(internal)? {
            let user = serde_json::from_str::<serde_json::Value>(&backend.config)
                .ok()
                .and_then(|c| {
                    c.get("machine_user")
                        .and_then(|u| u.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "root".to_owned());
            candidates.push(Candidate {
                key,
                user,
                sudo: None,
            });
        }
    }
    if candidates.is_empty() {
        return Err(ErrorKind::Conflict {
            message: format!(
                "no key is associated with machine {:?} and there is no default key: \
                 add a key on the Keys page first",
                machine.name
            ),
        });
    }

    let pinned = services
        .db
        .host_key(backend_id, machine_id)
        .await
        .map_err(internal)?
        .map(|p| HostKey {
            openssh: p.openssh,
            fingerprint: p.fingerprint,
        });
    let started = Instant::now();
    let mut last_error = None;
    for candidate in candidates {
        let target = Target {
            host: host.clone(),
            port: summary.ssh_port,
            user: candidate.user.clone(),
        };
        let pair = keys::pair_of(services, &candidate.key)?;
        match connect_with(&target, &pair, pinned.as_ref()).await {
            Ok((connection, presented)) => {
                if pinned.is_none() {
                    services
                        .db
                        .pin_host_key(
                            backend_id,
                            machine_id,
                            &presented.openssh,
                            &presented.fingerprint,
                            services.now(),
                        )
                        .await
                        .map_err(internal)?;
                }
                let sudo = match candidate.sudo {
                    Some(known) => known,
                    None => detect_sudo(&connection, &candidate.user).await,
                };
                services
                    .db
                    .associate_key(&KeyMachine {
                        key_id: candidate.key.id.clone(),
                        backend_id: backend_id.to_owned(),
                        machine_id: machine_id.to_owned(),
                        ssh_user: candidate.user.clone(),
                        sudo,
                        last_used_at: services.now(),
                    })
                    .await
                    .map_err(internal)?;
                return Ok(Opened {
                    connection,
                    target,
                    key: candidate.key.name,
                    started,
                    slot,
                });
            }
            Err(ConnectError::HostKeyChanged {
                expected,
                presented,
            }) => {
                services
                    .db
                    .note_changed_host_key(
                        backend_id,
                        machine_id,
                        &presented.openssh,
                        &presented.fingerprint,
                    )
                    .await
                    .map_err(internal)?;
                return Err(connect_error(
                    ConnectError::HostKeyChanged {
                        expected,
                        presented,
                    },
                    &target,
                ));
            }
            Err(e @ ConnectError::AuthRefused { .. }) => last_error = Some((e, target)),
            Err(e) => return Err(connect_error(e, &target)),
        }
    }
    match last_error {
        Some((e, target)) => Err(connect_error(e, &target)),
        None => Err(internal("no candidate key was tried")),
    }
}
