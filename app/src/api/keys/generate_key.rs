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
    let actor = ssr::require_actor()?;
    let generated =
        service::keys::generate(&ssr::services()?, &actor, algorithm.as_deref(), Some(&id)).await?;
    let new_key = NewKey {
        private: generated.private,
        public: generated.public,
        key: generated.key,
    };
    // Without JavaScript the answer is a redirect: the page shows it from there.
    crate::shown_once::keep(crate::shown_once::GENERATED_KEY, &new_key).await?;
    Ok(new_key)
}
