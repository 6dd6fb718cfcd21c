//! A bare-metal backend: a host reached over SSH, checked by logging in.

use domain::ErrorKind;
use ssh::Target;
use store::{
    backends::{StoredBackend, StoredMachine},
    keys::KeyMachine,
};

use super::{short_id, Added, NewBackend};
use crate::{internal, shell, Services};

/// A host reached over SSH: checked by logging in with the named key.
pub(super) async fn bare_metal(
    services: &Services,
    title: &str,
    new: &NewBackend,
) -> Result<Added, ErrorKind> {
    let host = new
        .machine_ip
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_ip", "give the host's address"))?;
    if host.len() > 253 || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(ErrorKind::invalid(
            "machine_ip",
            "must be a host name or an IP address",
        ));
    }
    let key_name = new
        .machine_key
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_key", "choose the key that opens this host"))?;
    let user = new
        .machine_user
        .clone()
        .unwrap_or_else(|| "root".to_owned());
    if user.len() > 32 || user.contains(char::is_whitespace) {
        return Err(ErrorKind::invalid(
            "machine_user",
            "must be a user name without spaces",
        ));
    }
    let port = match &new.machine_port {
        None => 22,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            ErrorKind::invalid("machine_port", "must be a port number from 1 to 65535")
        })?,
    };
    let key = services
        .db
        .key_by_name(&key_name)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ErrorKind::invalid("machine_key", format!("no key is named {key_name:?}"))
        })?;
    let target = Target {
        host: host.clone(),
        port,
        user: user.clone(),
    };
    let probed = shell::probe(services, &target, &key)
        .await
        .map_err(|e| match e {
            ErrorKind::Upstream { message } | ErrorKind::Conflict { message } => {
                ErrorKind::invalid("machine_ip", format!("could not log in: {message}"))
            }
            other => other,
        })?;
    let now = services.now();
    let id = short_id();
    let machine_id = short_id();
    let backend = StoredBackend {
        id: id.clone(),
        title: title.to_owned(),
        provider: "bare_metal".into(),
        region: None,
        apikey: None,
        apiurl: None,
        config: serde_json::json!({
            "machine_ip": host,
            "machine_user": user,
            "machine_port": port,
            "machine_key": key_name,
            "reboot_command": new.machine_reboot_command.as_deref().unwrap_or("reboot"),
        })
        .to_string(),
        secret_sealed: None,
        enabled: true,
        state: "online".into(),
        state_reason: None,
        poll_interval: new.poll_interval_ms()?,
        polled_at: Some(now),
        created_at: now,
    };
    let machine = StoredMachine {
        backend_id: id.clone(),
        id: machine_id.clone(),
        name: probed.hostname.clone().unwrap_or_else(|| host.clone()),
        state: "running".into(),
        public_ips: serde_json::json!([host]).to_string(),
        private_ips: "[]".into(),
        ssh_port: i64::from(port),
        extra: "{}".into(),
        seen_at: now,
    };
    let association = KeyMachine {
        key_id: key.id,
        backend_id: id,
        machine_id,
        ssh_user: user,
        sudo: probed.sudo,
        last_used_at: now,
    };
    Ok((backend, vec![machine], Some((association, probed.host_key))))
}

/// Runs `action` on a bare-metal host: only a reboot, over SSH, as root or
/// through `sudo -n`. The reboot starts a moment after the command returns,
/// so the SSH session ends cleanly first.
pub async fn act(
    services: &Services,
    actor: &crate::Actor,
    backend: &StoredBackend,
    machine_id: &str,
    action: cloud::Action,
) -> Result<(), ErrorKind> {
    if action != cloud::Action::Reboot {
        return Err(ErrorKind::Conflict {
            message: format!(
                "a bare-metal host can only be rebooted from here (asked to {})",
                action.as_str()
            ),
        });
    }
    let config: serde_json::Value = serde_json::from_str(&backend.config).unwrap_or_default();
    let command = config["reboot_command"]
        .as_str()
        .unwrap_or("reboot")
        .to_owned();
    let opened = shell::connect_to(services, actor, &backend.id, machine_id).await?;
    let user = opened.target.user.clone();
    let privileged = if user == "root" {
        command
    } else if shell::detect_sudo(&opened.connection, &user).await {
        format!("sudo -n {command}")
    } else {
        opened.connection.close().await;
        return Err(ErrorKind::Conflict {
            message: format!(
                "rebooting needs root or passwordless sudo, and {user} has neither on this host"
            ),
        });
    };
    let detached = format!(
        "nohup sh -c '{}' >/dev/null 2>&1 &",
        format!("sleep 1; {privileged}").replace('\'', "'\\''")
    );
    let mut exec = opened
        .connection
        .exec(&detached)
        .await
        .map_err(|e| shell::connect_error(e, &opened.target))?;
    let mut code = None;
    while let Some(out) = exec.next().await {
        if let ssh::Output::Exit(c) = out {
            code = Some(c);
        }
    }
    opened.connection.close().await;
    match code {
        Some(0) => remember_reboot(services, &backend.id, machine_id).await,
        other => Err(ErrorKind::Upstream {
            message: format!("the reboot command could not be started (exit {other:?})"),
        }),
    }
}

/// How long a rebooted host stays `rebooting` while it still answers: the
/// reboot starts a second after the command, and SSH stops a moment later.
pub const REBOOT_GRACE_MS: i64 = 5_000;
/// How long a rebooted host that does not answer stays `rebooting`; after
/// that it is `unknown` until it answers again.
pub const REBOOT_LIMIT_MS: i64 = 10 * 60_000;

/// Notes when the host was told to reboot (`rebooted_at` in its details),
/// so polls can tell a reboot under way from one long over.
async fn remember_reboot(
    services: &Services,
    backend_id: &str,
    machine_id: &str,
) -> Result<(), ErrorKind> {
    let Some(mut m) = services
        .db
        .machine(backend_id, machine_id)
        .await
        .map_err(internal)?
    else {
        return Ok(());
    };
    let mut extra: serde_json::Value = serde_json::from_str(&m.extra).unwrap_or_default();
    if !extra.is_object() {
        extra = serde_json::json!({});
    }
    extra["rebooted_at"] = services.now().into();
    m.extra = extra.to_string();
    services.db.upsert_machine(&m).await.map_err(internal)
}

/// A host's state as a poll sees it: `running` when its SSH port answers,
/// `rebooting` during a reboot (while it still answers, for
/// [`REBOOT_GRACE_MS`]; while it does not, for [`REBOOT_LIMIT_MS`]), and
/// `unknown` when it does not answer otherwise.
pub fn host_state(
    current: &str,
    rebooted_at: Option<i64>,
    reachable: bool,
    now: i64,
) -> &'static str {
    let since = rebooted_at.map(|at| now.saturating_sub(at));
    let rebooting = current == "rebooting";
    match (reachable, since) {
        (true, Some(ms)) if rebooting && ms < REBOOT_GRACE_MS => "rebooting",
        (true, _) => "running",
        (false, Some(ms)) if rebooting && ms < REBOOT_LIMIT_MS => "rebooting",
        (false, _) => "unknown",
    }
}

/// Polls a bare-metal backend: whether the host's SSH port accepts a
/// connection decides the backend's state (`online`/`offline`) and the
/// host's ([`host_state`]).
pub async fn poll(
    services: &Services,
    backend: &StoredBackend,
) -> Result<(), (&'static str, String)> {
    let reached = reachable(backend).await;
    let machines = services
        .db
        .machines_of(&backend.id)
        .await
        .map_err(|e| ("error", format!("cannot read the host: {e}")))?;
    for m in machines {
        let extra: serde_json::Value = serde_json::from_str(&m.extra).unwrap_or_default();
        let state = host_state(
            &m.state,
            extra["rebooted_at"].as_i64(),
            reached.is_ok(),
            services.now(),
        );
        if state != m.state {
            services
                .db
                .set_machine_state(&backend.id, &m.id, state)
                .await
                .map_err(|e| ("error", format!("cannot store the host's state: {e}")))?;
        }
    }
    reached
}

/// Whether the host's SSH port accepts connections.
async fn reachable(backend: &StoredBackend) -> Result<(), (&'static str, String)> {
    let config: serde_json::Value = serde_json::from_str(&backend.config).unwrap_or_default();
    let host = config["machine_ip"].as_str().unwrap_or_default();
    let port = config["machine_port"].as_u64().unwrap_or(22);
    let addr = format!("{host}:{port}");
    match tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(("offline", format!("cannot reach {addr}: {e}"))),
        Err(_) => Err(("offline", format!("{addr} did not answer within 5 s"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reboot_ends_when_the_host_answers_again_or_after_its_limit() {
        let at = Some(1_000_000);
        let t = |ms: i64| 1_000_000 + ms;
        // Still answering right after the command: the reboot is under way.
        assert_eq!(host_state("rebooting", at, true, t(1_000)), "rebooting");
        // Down: rebooting, up to the limit.
        assert_eq!(host_state("rebooting", at, false, t(30_000)), "rebooting");
        assert_eq!(
            host_state("rebooting", at, false, t(REBOOT_LIMIT_MS)),
            "unknown"
        );
        // Back: running.
        assert_eq!(host_state("rebooting", at, true, t(60_000)), "running");
        // Not rebooting: what the port says.
        assert_eq!(host_state("running", None, false, t(0)), "unknown");
        assert_eq!(host_state("unknown", at, true, t(0)), "running");
    }
}
