//! Creating a machine, recorded: the intent goes in the database before
//! the provider is asked, and the provider's answer after, so an instance
//! that stops between the two never leaves a machine nobody tracks (its
//! `requested` record names the backend and the machine's name). The
//! door-facing operation (`machine_actions::create`) authorises and
//! validates, then calls [`provision`]; stacks call it for each machine of
//! a layer.

use std::sync::Arc;

use cloud::{CloudDriver, CreateMachine, PublicKey};
use domain::ErrorKind;
use store::{
    backends::{StoredBackend, StoredMachine},
    keys::{KeyMachine, StoredKey},
    provisions::Provision,
};

use crate::{drivers, internal, Services};

/// What to create (already validated).
#[derive(Debug, Clone)]
pub struct MachineSpec {
    /// Name.
    pub name: String,
    /// Size id.
    pub size: String,
    /// Image id.
    pub image: String,
    /// Location id.
    pub location: String,
    /// The key to install, if any.
    pub key: Option<StoredKey>,
}

impl MachineSpec {
    /// What a machine's `create:machine` audit entry says of it:
    /// `name (size, image, location)`.
    pub fn audit_detail(&self) -> String {
        format!(
            "{} ({}, {}, {})",
            self.name, self.size, self.image, self.location
        )
    }
}

/// Creates a machine on `backend` through `driver` for `on_behalf_of` (an
/// audit name): records the intent, asks the provider, records its answer,
/// stores the machine as the provider first reports it and associates the
/// key. Returns the machine and the provision's id.
pub async fn provision(
    services: &Services,
    backend: &StoredBackend,
    driver: &Arc<dyn CloudDriver>,
    spec: &MachineSpec,
    on_behalf_of: &str,
) -> Result<(StoredMachine, String), ErrorKind> {
    let now = services.now();
    let record = Provision {
        id: uuid::Uuid::new_v4().simple().to_string(),
        backend_id: backend.id.clone(),
        name: spec.name.clone(),
        size: spec.size.clone(),
        image: spec.image.clone(),
        location: spec.location.clone(),
        key_id: spec.key.as_ref().map(|k| k.id.clone()),
        requested_by: on_behalf_of.to_owned(),
        state: "requested".into(),
        machine_id: None,
        detail: None,
        created_at: now,
        updated_at: now,
    };
    services
        .db
        .insert_provision(&record)
        .await
        .map_err(internal)?;
    let request = CreateMachine {
        name: spec.name.clone(),
        size: spec.size.clone(),
        image: spec.image.clone(),
        location: spec.location.clone(),
        key: spec.key.as_ref().map(|k| PublicKey {
            name: k.name.clone(),
            openssh: k.public_key.clone(),
        }),
        // A post-deploy script runs over SSH (its output kept), not as
        // user data.
        user_data: None,
    };
    let machine = match driver.create_machine(&request).await {
        Ok(machine) => machine,
        Err(e) => {
            let kind = drivers::error(e, &crate::machine_actions::title(backend));
            services
                .db
                .provision_failed(&record.id, &kind.to_string(), services.now())
                .await
                .map_err(internal)?;
            return Err(kind);
        }
    };
    let stored = drivers::to_stored(&backend.id, &machine, services.now());
    services
        .db
        .provision_created(&record.id, &machine.id, services.now())
        .await
        .map_err(internal)?;
    services
        .db
        .upsert_machine(&stored)
        .await
        .map_err(internal)?;
    crate::events::changes::machine(
        services,
        domain::events::EventKind::MachineAppeared,
        &backend.id,
        &machine.id,
    )
    .await;
    if let Some(key) = &spec.key {
        services
            .db
            .associate_key(&KeyMachine {
                key_id: key.id.clone(),
                backend_id: backend.id.clone(),
                machine_id: machine.id.clone(),
                ssh_user: "root".into(),
                sudo: true,
                // Installed, not proven: the first login that works records
                // its time (and finds out sudo for itself).
                last_used_at: 0,
            })
            .await
            .map_err(internal)?;
    }
    Ok((stored, record.id))
}
