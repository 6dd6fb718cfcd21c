//! SSH to machines: which key and user open a machine, the host key pinned
//! on first use, one-shot commands streamed as they run, and interactive
//! terminals. Every door (server function, mist.io shell route, terminal
//! websocket) goes through [`open`].

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use domain::{resource, shell::ShellEvent, ErrorKind};
use ssh::{ConnectError, Connection, HostKey, KeyPair, Output, Target};
use store::keys::{KeyMachine, StoredKey};
use tokio::sync::mpsc;

use crate::{audit, authz, internal, keys, machines, Actor, Services};

/// How long connecting, the handshake and authentication may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Open shell sessions per account.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, usize>>,
}

/// Holds one of an account's session slots until dropped.
#[derive(Debug)]
pub struct SessionSlot {
    sessions: Arc<Sessions>,
    account: String,
}

impl Sessions {
    fn take(self: &Arc<Self>, account: &str, limit: usize) -> Result<SessionSlot, ErrorKind> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| internal("session table poisoned"))?;
        let n = open.entry(account.to_owned()).or_insert(0);
        if *n >= limit {
            return Err(ErrorKind::Conflict {
                message: format!(
                    "you have {limit} shell sessions open already; \
                     close one (or wait for a command to end) first"
                ),
            });
        }
        *n += 1;
        Ok(SessionSlot {
            sessions: self.clone(),
            account: account.to_owned(),
        })
    }

    /// How many sessions `account` has open.
    pub fn count(&self, account: &str) -> usize {
        self.open
            .lock()
            .map(|open| open.get(account).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.sessions.open.lock() {
            if let Some(n) = open.get_mut(&self.account) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&self.account);
                }
            }
        }
    }
}

/// An authenticated SSH connection to a machine.
pub struct Opened {
    /// The connection.
    pub connection: Connection,
    /// The user it logged in as.
    pub user: String,
    /// The key's name.
    pub key: String,
    /// `host:port`.
    pub host: String,
    /// When connecting started.
    pub started: Instant,
    /// The account's session slot, freed on drop.
    pub slot: SessionSlot,
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
    associated: bool,
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
    let (machine, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    if !backend.enabled {
        return Err(ErrorKind::Conflict {
            message: format!("backend {:?} is disabled; enable it first", backend.title),
        });
    }
    let summary = machines::summary(&machine, &backend);
    let host = summary
        .public_ips
        .first()
        .or(summary.private_ips.first())
        .cloned()
        .ok_or_else(|| ErrorKind::Conflict {
            message: format!("machine {:?} has no address to connect to", machine.name),
        })?;
    let slot = services
        .shells
        .take(&actor.account_id, services.settings.max_shell_sessions)?;

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
                user: a.ssh_user,
                associated: true,
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
                associated: false,
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
                let sudo = if candidate.associated {
                    services
                        .db
                        .keys_of_machine(backend_id, machine_id)
                        .await
                        .map_err(internal)?
                        .iter()
                        .find(|a| a.key_id == candidate.key.id)
                        .is_some_and(|a| a.sudo)
                } else {
                    detect_sudo(&connection, &candidate.user).await
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
                    user: candidate.user,
                    key: candidate.key.name,
                    host: format!("{}:{}", target.host, target.port),
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

/// Turns bytes into text across chunk boundaries: an incomplete UTF-8
/// sequence at the end of one chunk waits for the next.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Appends `bytes`; returns the text that is complete so far.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid_up_to = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(valid_up_to);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }

    /// Whatever is left, replaced where invalid.
    pub fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

/// Runs `command` on a machine; events arrive on the receiver as output is
/// produced. Dropping the receiver (the page's Stop button, a closed page)
/// stops the command on the machine.
pub async fn run(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    command: &str,
    address: &str,
) -> Result<mpsc::Receiver<ShellEvent>, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "shell:machine", &target)?;
    let command = command.trim();
    if command.is_empty() {
        return Err(ErrorKind::invalid("command", "type a command to run"));
    }
    if command.len() > 16 * 1024 {
        return Err(ErrorKind::invalid("command", "is longer than 16 KiB"));
    }
    let opened = match open(services, actor, backend_id, machine_id).await {
        Ok(opened) => opened,
        Err(e) => {
            if !matches!(e, ErrorKind::Forbidden { .. }) {
                audit::record(
                    services,
                    &actor.audit_name(),
                    address,
                    "shell:machine",
                    &target,
                    audit::outcome::FAILURE,
                    &format!("run: {command}: {e}"),
                )
                .await?;
            }
            return Err(e);
        }
    };
    audit::success(
        services,
        actor,
        address,
        "shell:machine",
        &target,
        &format!("run as {}: {command}", opened.user),
    )
    .await?;
    let mut exec = opened
        .connection
        .exec(command)
        .await
        .map_err(|e| connect_error(e, &split_host(&opened.host, &opened.user)))?;
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let Opened {
            connection,
            user,
            key,
            host,
            started,
            slot,
        } = opened;
        let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if tx
            .send(ShellEvent::Connected { user, key, host })
            .await
            .is_err()
        {
            exec.cancel().await;
            connection.close().await;
            return;
        }
        let (mut out, mut err) = (Utf8Stream::default(), Utf8Stream::default());
        let mut exit = None;
        loop {
            tokio::select! {
                next = exec.next() => match next {
                    Some(Output::Stdout(bytes)) => {
                        let data = out.push(&bytes);
                        if !data.is_empty() && tx.send(ShellEvent::Stdout { data }).await.is_err() {
                            break;
                        }
                    }
                    Some(Output::Stderr(bytes)) => {
                        let data = err.push(&bytes);
                        if !data.is_empty() && tx.send(ShellEvent::Stderr { data }).await.is_err() {
                            break;
                        }
                    }
                    Some(Output::Exit(code)) => exit = Some(code),
                    None => break,
                },
                () = tx.closed() => break,
            }
        }
        if tx.is_closed() {
            exec.cancel().await;
        } else {
            for (data, stderr) in [(out.finish(), false), (err.finish(), true)] {
                if !data.is_empty() {
                    let event = if stderr {
                        ShellEvent::Stderr { data }
                    } else {
                        ShellEvent::Stdout { data }
                    };
                    let _ = tx.send(event).await;
                }
            }
            let last = match exit {
                Some(code) => ShellEvent::Exit {
                    code,
                    duration_ms: elapsed(),
                },
                None => ShellEvent::Error {
                    message: "the connection closed before the command reported an exit status"
                        .into(),
                },
            };
            let _ = tx.send(last).await;
        }
        connection.close().await;
        drop(slot);
    });
    Ok(rx)
}

fn split_host(host: &str, user: &str) -> Target {
    let (h, p) = host.rsplit_once(':').unwrap_or((host, "22"));
    Target {
        host: h.to_owned(),
        port: p.parse().unwrap_or(22),
        user: user.to_owned(),
    }
}

/// Stands for an open terminal in the audit log when it ends.
pub async fn record_terminal(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    address: &str,
    detail: &str,
) -> Result<(), ErrorKind> {
    audit::success(
        services,
        actor,
        address,
        "shell:machine",
        &resource::machine(backend_id, machine_id),
        detail,
    )
    .await
}

/// Whether `actor` (as it is now in the database) may still hold a shell on
/// the machine: used by open terminals to end when rights are revoked.
pub async fn still_allowed(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> bool {
    match crate::session::refresh(services, actor).await {
        Ok(Some(fresh)) => authz::authorize(
            &fresh,
            "shell:machine",
            &resource::machine(backend_id, machine_id),
        )
        .is_ok(),
        _ => false,
    }
}

/// The probe made when a bare-metal backend is added: connects with `key`
/// as `user`, trusting the host key on first use.
pub async fn probe(
    services: &Services,
    target: &Target,
    key: &StoredKey,
) -> Result<Probed, ErrorKind> {
    let pair = keys::pair_of(services, key)?;
    let (connection, host_key) = connect_with(target, &pair, None)
        .await
        .map_err(|e| connect_error(e, target))?;
    let sudo = detect_sudo(&connection, &target.user).await;
    let hostname = first_line(&connection, "hostname").await;
    connection.close().await;
    Ok(Probed {
        host_key,
        sudo,
        hostname,
    })
}

/// What a probe found.
#[derive(Debug, Clone)]
pub struct Probed {
    /// The host key presented (pinned by the caller).
    pub host_key: HostKey,
    /// Password-less sudo.
    pub sudo: bool,
    /// `hostname`'s answer.
    pub hostname: Option<String>,
}

async fn first_line(connection: &Connection, command: &str) -> Option<String> {
    let mut exec = connection.exec(command).await.ok()?;
    let mut text = Vec::new();
    while let Some(out) = exec.next().await {
        if let Output::Stdout(bytes) = out {
            text.extend_from_slice(&bytes);
        }
    }
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_chunks_is_joined() {
        let mut s = Utf8Stream::default();
        let bytes = "é€".as_bytes();
        assert_eq!(s.push(&bytes[..1]), "");
        assert_eq!(s.push(&bytes[1..3]), "é");
        assert_eq!(s.push(&bytes[3..]), "€");
        assert_eq!(s.push(b"\xffok"), "\u{fffd}ok");
        assert_eq!(s.push(&bytes[..3]), "é");
        assert_eq!(s.finish(), "\u{fffd}");
    }

    #[test]
    fn an_account_cannot_hold_more_than_its_share_of_sessions() {
        let sessions = Arc::new(Sessions::default());
        let slots: Vec<_> = (0..3).map(|_| sessions.take("a", 3).unwrap()).collect();
        assert!(matches!(
            sessions.take("a", 3),
            Err(ErrorKind::Conflict { .. })
        ));
        assert!(sessions.take("b", 3).is_ok());
        drop(slots);
        assert_eq!(sessions.count("a"), 0);
        assert!(sessions.take("a", 3).is_ok());
    }
}
