//! What the caller may do on the Backends page, answered once for the whole
//! list so a page shows only the buttons that will work.

use domain::{inventory::BackendSummary, resource};

use crate::{rights::may, Actor};

/// What the caller may do with one backend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rights {
    /// Rename it, enable or disable it, set its default image
    /// (`edit:backend`).
    pub edit: bool,
    /// Forget it (`delete:backend`).
    pub delete: bool,
    /// Create machines on it (`create:machine` on its machines).
    pub create_machine: bool,
}

/// Whether the caller may add a backend (`create:backend`).
pub fn may_add(actor: &Actor) -> bool {
    may(actor, "create:backend", "backend/*")
}

/// Whether the caller may create machines on backend `id`.
pub fn may_create_machine(actor: &Actor, id: &str) -> bool {
    let machines = format!("{}/machine/*", resource::backend(id));
    may(actor, "create:machine", &machines)
}

/// What the caller may do with backend `id`.
pub fn rights(actor: &Actor, id: &str) -> Rights {
    let target = resource::backend(id);
    Rights {
        edit: may(actor, "edit:backend", &target),
        delete: may(actor, "delete:backend", &target),
        create_machine: may_create_machine(actor, id),
    }
}

/// Each listed backend with what the caller may do with it.
pub fn with_rights(actor: &Actor, list: Vec<BackendSummary>) -> Vec<(BackendSummary, Rights)> {
    list.into_iter()
        .map(|b| {
            let rights = rights(actor, &b.id);
            (b, rights)
        })
        .collect()
}
