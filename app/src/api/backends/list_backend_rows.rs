use domain::inventory::BackendSummary;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// What the caller may do with one backend: the Backends page shows only
/// these buttons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRights {
    /// Rename, enable or disable, set the default image (`edit:backend`).
    pub edit: bool,
    /// Forget it (`delete:backend`).
    pub delete: bool,
    /// Create machines on it (`create:machine`).
    pub create_machine: bool,
}

/// A backend with what the caller may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRow {
    /// The backend.
    pub backend: BackendSummary,
    /// What the caller may do with it.
    pub may: BackendRights,
}

/// The Backends page's list: the backends the caller may see, each with
/// its rights, and whether the caller may add one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRows {
    /// Whether the caller may add a backend (`create:backend`).
    pub may_add: bool,
    /// The backends.
    pub rows: Vec<BackendRow>,
}

/// The backends the caller may see with what the caller may do with each,
/// answered in one call.
#[server(endpoint = "backends/rows", input = GetUrl)]
pub async fn list_backend_rows() -> Result<BackendRows, AppError> {
    use crate::ssr;
    use service::backends::may;
    let actor = ssr::require_actor()?;
    let list = service::backends::list(&ssr::services()?, &actor).await?;
    Ok(BackendRows {
        may_add: may::may_add(&actor),
        rows: may::with_rights(&actor, list)
            .into_iter()
            .map(|(backend, r)| BackendRow {
                backend,
                may: BackendRights {
                    edit: r.edit,
                    delete: r.delete,
                    create_machine: r.create_machine,
                },
            })
            .collect(),
    })
}
