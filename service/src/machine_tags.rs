//! A machine's tags one at a time, as mist.io's API had them (`POST
//! .../metadata {"tag"}`, `DELETE .../metadata/{tag}`): read the tags as
//! last seen, change one, and set the whole set through the provider.

use domain::ErrorKind;

use crate::{machine_actions, machines, Actor, Services};

/// The machine's tags as last seen, once `tag:machine` is allowed.
async fn current(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<Vec<String>, ErrorKind> {
    crate::authz::authorize(
        actor,
        "tag:machine",
        &domain::resource::machine(backend_id, machine_id),
    )?;
    let (stored, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    Ok(machines::summary(&stored, &backend).tags)
}

/// Adds `tag` (kept once); returns the machine's tags.
pub async fn add(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    tag: &str,
) -> Result<Vec<String>, ErrorKind> {
    let mut tags = current(services, actor, backend_id, machine_id).await?;
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(ErrorKind::invalid("tag", "give the tag to add"));
    }
    tags.push(tag.to_owned());
    machine_actions::replace_tags(services, actor, backend_id, machine_id, &tags).await
}

/// Removes `tag`; 404 when the machine does not have it.
pub async fn remove(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    tag: &str,
) -> Result<Vec<String>, ErrorKind> {
    let mut tags = current(services, actor, backend_id, machine_id).await?;
    if tag.trim().is_empty() {
        return Err(ErrorKind::invalid("tag", "name the tag to remove"));
    }
    let before = tags.len();
    tags.retain(|t| t != tag);
    if tags.len() == before {
        return Err(ErrorKind::NotFound {
            what: format!("tag {tag:?} on machine {machine_id}"),
        });
    }
    machine_actions::replace_tags(services, actor, backend_id, machine_id, &tags).await
}
