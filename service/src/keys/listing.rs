//! The Keys page's one read: the keys the caller may see, the machines each
//! opens and how that is known (a login proved it, or it was only
//! installed at creation or said by hand), and what the caller may do to
//! each (`crate::rights`).

use std::collections::HashSet;

use domain::{
    rights::{KeyListing, ListedKey, Opening, Proof},
    ErrorKind,
};

use crate::{internal, rights, Actor, Services};

/// The keys `actor` may see, with what they may do to each and whether
/// they may make one.
pub async fn listing(services: &Services, actor: &Actor) -> Result<KeyListing, ErrorKind> {
    let keys = super::list(services, actor).await?;
    let at_creation: HashSet<(String, String, String)> = services
        .db
        .unused_keys_installed_at_creation()
        .await
        .map_err(internal)?
        .into_iter()
        .collect();
    let may = rights::keys(actor, &keys);
    let listed = keys
        .into_iter()
        .zip(may)
        .map(|(key, may)| {
            let opens = key
                .machines
                .iter()
                .map(|m| {
                    let created = at_creation.contains(&(
                        key.name.clone(),
                        m.backend_id.clone(),
                        m.machine_id.clone(),
                    ));
                    Opening {
                        backend_id: m.backend_id.clone(),
                        machine_id: m.machine_id.clone(),
                        ssh_user: m.ssh_user.clone(),
                        sudo: m.sudo,
                        proof: Proof::of(m.last_used, created),
                    }
                })
                .collect();
            ListedKey { key, opens, may }
        })
        .collect();
    Ok(KeyListing {
        keys: listed,
        may_create: rights::may_create_key(actor),
    })
}
