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
        Some(0) => Ok(()),
        other => Err(ErrorKind::Upstream {
            message: format!("the reboot command could not be started (exit {other:?})"),
        }),
    }
}
