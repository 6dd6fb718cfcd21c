use leptos::prelude::*;

use super::NewKey;
use crate::{csrf_client::CsrfClient, error::AppError};

/// Generates a key (`ed25519`, the default, or `rsa` for RSA 4096) and
/// stores it as `id`; the private part comes back this once.
#[server(endpoint = "keys/generate", client = CsrfClient)]
pub async fn generate_key(
    #[server(default)] id: String,
    algorithm: Option<String>,
) -> Result<NewKey, AppError> {
    use crate::ssr;
    use domain::ErrorKind;
    let actor = ssr::require_actor()?;
    // A caller who may create no key at all hears so before any complaint
    // about the form (the service decides about this very name).
    service::authz::authorize_listing(&actor, "create:key")?;
    let algorithm = match algorithm.as_deref().map(str::trim) {
        None | Some("" | "ed25519") => ssh::KeyAlgorithm::Ed25519,
        Some("rsa") => ssh::KeyAlgorithm::Rsa4096,
        Some(other) => {
            return Err(ErrorKind::invalid(
                "algorithm",
                format!("{other:?} is not offered: choose ed25519 or rsa"),
            )
            .into())
        }
    };
    // The page stores every key it generates: a name is required.
    if id.trim().is_empty() {
        return Err(ErrorKind::invalid("id", "a key needs a name").into());
    }
    let generated = service::keys::generate(
        &ssr::services()?,
        &actor,
        algorithm,
        Some(&id),
        &ssr::client_address(),
    )
    .await?;
    Ok(NewKey {
        private: generated.private,
        public: generated.public,
        key: generated.key,
    })
}
