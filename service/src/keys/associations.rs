//! Which machines a key opens, set by hand.

use domain::{resource, ErrorKind};
use store::keys::KeyMachine;

use super::find;
use crate::{audit, authz, internal, Actor, Services};

/// Associates a key with a machine by hand.
pub async fn associate(
    services: &Services,
    actor: &Actor,
    name: &str,
    backend_id: &str,
    machine_id: &str,
    ssh_user: &str,
    sudo: bool,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    let user = ssh_user.trim();
    if user.is_empty() || user.len() > 32 || user.contains(char::is_whitespace) {
        return Err(ErrorKind::invalid(
            "ssh_user",
            "must be a user name of 1 to 32 characters, without spaces",
        ));
    }
    let key = find(services, name).await?;
    crate::machines::find(services, actor, backend_id, machine_id).await?;
    services
        .db
        .associate_key(&KeyMachine {
            key_id: key.id,
            backend_id: backend_id.to_owned(),
            machine_id: machine_id.to_owned(),
            ssh_user: user.to_owned(),
            sudo,
            last_used_at: services.now(),
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
    .await
}

/// Removes a key's association with a machine.
pub async fn disassociate(
    services: &Services,
    actor: &Actor,
    name: &str,
    backend_id: &str,
    machine_id: &str,
) -> Result<(), ErrorKind> {
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
    .await
}
