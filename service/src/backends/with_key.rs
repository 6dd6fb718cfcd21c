//! Adding a bare-metal backend with a key imported on the way: the key the
//! form was given (a name and a pasted private key) is imported, then the
//! host is added with it; if the host is refused, the key is removed again.

use domain::{inventory::BackendSummary, ErrorKind};

use super::{add, NewBackend};
use crate::{authz, Actor, Services};

/// A key to import before adding a host.
#[derive(Debug, Clone, Default)]
pub struct InlineKey {
    /// The name the key is filed under.
    pub name: String,
    /// The private key (PEM or OpenSSH).
    pub private_key: String,
}

/// The key's refusal, named by the add form's own fields.
fn as_form_field(e: ErrorKind) -> ErrorKind {
    match e {
        ErrorKind::InvalidInput { field, message } => {
            let field = match field.as_str() {
                "id" | "name" => "key_name",
                "priv" | "private_key" | "passphrase" => "private_key",
                _ => field.as_str(),
            };
            ErrorKind::invalid(field, message)
        }
        other => other,
    }
}

/// Adds a backend as [`add`] does; with `key`, imports it first (needs
/// `create:key` too) and logs in to the host with it. A caller who may not
/// add backends hears so before anything is imported; a host that refuses
/// leaves no key behind.
pub async fn add_with_key(
    services: &Services,
    actor: &Actor,
    new: &NewBackend,
    key: Option<&InlineKey>,
) -> Result<BackendSummary, ErrorKind> {
    let Some(key) = key.filter(|k| !k.private_key.trim().is_empty()) else {
        return add(services, actor, new).await;
    };
    authz::authorize(actor, "create:backend", "backend/*")?;
    if key.name.trim().is_empty() {
        return Err(ErrorKind::invalid(
            "key_name",
            "give the imported key a name",
        ));
    }
    let imported = crate::keys::import(services, actor, &key.name, &key.private_key, None)
        .await
        .map_err(as_form_field)?;
    let with_key = NewBackend {
        machine_key: Some(imported.name.clone()),
        ..new.clone()
    };
    match add(services, actor, &with_key).await {
        Ok(added) => Ok(added),
        Err(e) => {
            if let Err(cleanup) = crate::keys::delete(services, actor, &imported.name).await {
                tracing::warn!(key = %imported.name, error = %cleanup, "the key imported for a refused host stays");
            }
            Err(e)
        }
    }
}
