//! Which machines a key opens, set by hand. An association set by hand is
//! what someone said, not proven: it is used once (its `last_used_at` is 0)
//! until a login with it works.

use domain::{inventory::KeyMachineRef, resource, ErrorKind};
use serde_json::Value;
use store::keys::KeyMachine;

use super::find;
use crate::{audit, authz, internal, Actor, Services};

/// What an association is asked with (mist.io's body: `user`, `host`,
/// `port`; Overcast's: `ssh_user`, `sudo`), as the door received it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssociationRequest {
    /// The user the key logs in as (`root` when absent).
    pub ssh_user: Option<String>,
    /// mist.io's name for `ssh_user`.
    pub user: Option<String>,
    /// Whether that user has password-less sudo: `true`/`false`, or their
    /// text.
    pub sudo: Option<serde_json::Value>,
    /// mist.io's address of the machine: must be one of its own.
    pub host: Option<String>,
    /// mist.io's SSH port: must be the machine's.
    pub port: Option<serde_json::Value>,
}

/// Associates a key with a machine by hand; answers the machines the key
/// opens now (mist.io's answer).
pub async fn associate(
    services: &Services,
    actor: &Actor,
    name: &str,
    backend_id: &str,
    machine_id: &str,
    asked: &AssociationRequest,
) -> Result<Vec<KeyMachineRef>, ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    let user = asked
        .ssh_user
        .as_deref()
        .or(asked.user.as_deref())
        .unwrap_or("root")
        .trim();
    if user.is_empty() || user.len() > 32 || user.contains(char::is_whitespace) {
        return Err(ErrorKind::invalid(
            "ssh_user",
            "must be a user name of 1 to 32 characters, without spaces",
        ));
    }
    let sudo = match &asked.sudo {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if matches!(s.as_str(), "true" | "True" | "1" | "yes") => true,
        Some(Value::String(s)) if matches!(s.as_str(), "false" | "False" | "0" | "no" | "") => {
            false
        }
        Some(_) => return Err(ErrorKind::invalid("sudo", "must be true or false")),
    };
    let key = find(services, name).await?;
    let (machine, backend) = crate::machines::find(services, actor, backend_id, machine_id).await?;
    let shown = crate::machines::summary(&machine, &backend);
    if let Some(host) = asked
        .host
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        if !shown
            .public_ips
            .iter()
            .chain(&shown.private_ips)
            .any(|a| a == host)
        {
            return Err(ErrorKind::invalid(
                "host",
                format!("{host:?} is not an address of this machine"),
            ));
        }
    }
    let port = match &asked.port {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => Some(0),
    };
    if let Some(port) = port {
        if port != u64::from(shown.ssh_port) {
            return Err(ErrorKind::invalid(
                "port",
                format!(
                    "Overcast reaches this machine on its SSH port, {}",
                    shown.ssh_port
                ),
            ));
        }
    }
    services
        .db
        .associate_key(&KeyMachine {
            key_id: key.id.clone(),
            backend_id: backend_id.to_owned(),
            machine_id: machine_id.to_owned(),
            ssh_user: user.to_owned(),
            sudo,
            // Said, not proven: the first login that works records its time.
            last_used_at: 0,
        })
        .await
        .map_err(internal)?;
    audit::success(
        services,
        actor,
        "edit:key",
        &resource::key(name),
        &format!(
            "associated with {}",
            resource::machine(backend_id, machine_id)
        ),
    )
    .await?;
    machines_of(services, &key.id).await
}

/// The machines a key opens.
async fn machines_of(services: &Services, key_id: &str) -> Result<Vec<KeyMachineRef>, ErrorKind> {
    Ok(services
        .db
        .key_machines()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|m| m.key_id == key_id)
        .map(|m| KeyMachineRef {
            backend_id: m.backend_id,
            machine_id: m.machine_id,
            last_used: m.last_used_at,
            ssh_user: m.ssh_user,
            sudo: m.sudo,
        })
        .collect())
}

/// Removes a key's association with a machine; answers the machines the
/// key opens now.
pub async fn disassociate(
    services: &Services,
    actor: &Actor,
    name: &str,
    backend_id: &str,
    machine_id: &str,
) -> Result<Vec<KeyMachineRef>, ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    let key = find(services, name).await?;
    if !services
        .db
        .disassociate_key(&key.id, backend_id, machine_id)
        .await
        .map_err(internal)?
    {
        return Err(ErrorKind::NotFound {
            what: format!("an association of key {name:?} with that machine"),
        });
    }
    audit::success(
        services,
        actor,
        "edit:key",
        &resource::key(name),
        &format!(
            "disassociated from {}",
            resource::machine(backend_id, machine_id)
        ),
    )
    .await?;
    machines_of(services, &key.id).await
}
