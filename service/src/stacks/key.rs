//! A stack's own SSH key, `stack-<nickname>`: generated (Ed25519) when a
//! layer asks for `"keypair": true` (the default), installed on each of
//! those layers' machines, removed when the stack is deleted.

use domain::ErrorKind;
use store::keys::StoredKey;

use crate::{internal, Services};

/// The key's name.
pub fn name(nickname: &str) -> String {
    format!("stack-{nickname}")
}

/// The stack's key, generated and stored if it has none yet.
pub async fn ensure(services: &Services, nickname: &str) -> Result<StoredKey, ErrorKind> {
    let name = name(nickname);
    if let Some(key) = services.db.key_by_name(&name).await.map_err(internal)? {
        return Ok(key);
    }
    let pair = tokio::task::spawn_blocking(|| ssh::KeyPair::generate(ssh::KeyAlgorithm::Ed25519))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    // Two makers at once: one stores it, the other finds it.
    if let Err(e) = crate::keys::store_pair(services, &name, &pair).await {
        tracing::debug!(key = %name, error = ?e, "a stack's key was stored meanwhile");
    }
    services
        .db
        .key_by_name(&name)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a stack's key could not be stored"))
}

/// Removes the stack's key (nothing when it has none).
pub async fn remove(services: &Services, nickname: &str) {
    if let Err(e) = services.db.delete_key(&name(nickname)).await {
        tracing::warn!(key = %name(nickname), error = %e, "cannot remove a stack's key");
    }
}
