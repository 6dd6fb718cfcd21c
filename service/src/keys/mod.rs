//! SSH keys: import, generate, rename, set default, delete, read the public
//! or (guarded and audited) private part, and the machines each key opens.
//! Private parts are sealed by the [`crate::vault::Vault`] and leave this
//! module in clear only through [`private`] (audited) or to the SSH client.

use domain::{
    inventory::{KeyMachineRef, KeySummary},
    resource, ErrorKind,
};
use ssh::{KeyAlgorithm, KeyError, KeyPair};
use store::keys::{KeyMachine, StoredKey};

mod associations;
mod deploy;
mod listing;

pub use associations::{associate, disassociate, AssociationRequest};
pub use deploy::{deploy, Deployed};
pub use listing::listing;

use crate::{
    audit::{self, outcome},
    authz, internal, Actor, Services,
};

/// Longest key name.
pub const MAX_NAME: usize = 64;

/// A key just generated: the private part is shown this once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct GeneratedKey {
    /// The private key, OpenSSH format.
    #[serde(rename = "priv")]
    pub private: String,
    /// The public key, OpenSSH format.
    pub public: String,
    /// The stored key, when it was stored.
    pub key: Option<KeySummary>,
}

/// Checks a key name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`
/// (names appear in URLs and in role resources such as `key/<name>`).
pub fn parse_name(field: &str, raw: &str) -> Result<String, ErrorKind> {
    domain::names::check_visible(field, raw)?;
    let name = raw.trim();
    if name.is_empty() {
        return Err(ErrorKind::invalid(field, "a key needs a name"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ErrorKind::invalid(
            field,
            format!("is longer than {MAX_NAME} characters"),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(ErrorKind::invalid(
            field,
            format!("may hold letters, digits, '.', '_', '-' and '@', not {bad:?}"),
        ));
    }
    Ok(name.to_owned())
}

fn key_error(e: KeyError) -> ErrorKind {
    match e {
        KeyError::Generate(cause) => internal(cause),
        other => ErrorKind::invalid("priv", other.to_string()),
    }
}

fn not_found(name: &str) -> ErrorKind {
    ErrorKind::NotFound {
        what: format!("key {name:?}"),
    }
}

fn sealing_context(id: &str) -> String {
    format!("ssh_key:{id}")
}

fn summary(k: &StoredKey, machines: &[KeyMachine]) -> KeySummary {
    KeySummary {
        id: k.name.clone(),
        name: k.name.clone(),
        default_key: k.is_default,
        algorithm: k.algorithm.clone(),
        fingerprint: k.fingerprint.clone(),
        machines: machines
            .iter()
            .filter(|m| m.key_id == k.id)
            .map(|m| KeyMachineRef {
                backend_id: m.backend_id.clone(),
                machine_id: m.machine_id.clone(),
                last_used: m.last_used_at,
                ssh_user: m.ssh_user.clone(),
                sudo: m.sudo,
            })
            .collect(),
    }
}

async fn find(services: &Services, name: &str) -> Result<StoredKey, ErrorKind> {
    services
        .db
        .key_by_name(name)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found(name))
}

/// The keys the caller may see, with the machines each opens.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<KeySummary>, ErrorKind> {
    authz::authorize_listing(actor, "view:key")?;
    let keys = services.db.keys().await.map_err(internal)?;
    let machines = services.db.key_machines().await.map_err(internal)?;
    Ok(keys
        .iter()
        .filter(|k| authz::decide(actor, "view:key", &resource::key(&k.name)).is_allowed())
        .map(|k| summary(k, &machines))
        .collect())
}

/// One key.
pub async fn get(services: &Services, actor: &Actor, name: &str) -> Result<KeySummary, ErrorKind> {
    authz::authorize(actor, "view:key", &resource::key(name))?;
    let key = find(services, name).await?;
    let machines = services.db.key_machines().await.map_err(internal)?;
    Ok(summary(&key, &machines))
}

pub(crate) async fn store_pair(
    services: &Services,
    name: &str,
    pair: &KeyPair,
) -> Result<KeySummary, ErrorKind> {
    let id = uuid::Uuid::new_v4().to_string();
    let sealed = services
        .vault
        .seal_str(&sealing_context(&id), &pair.private_openssh())?;
    let stored = services
        .db
        .insert_key(&StoredKey {
            id,
            name: name.to_owned(),
            algorithm: pair.algorithm().to_owned(),
            public_key: pair.public_openssh(),
            fingerprint: pair.fingerprint(),
            private_sealed: sealed,
            is_default: false,
            created_at: services.now(),
        })
        .await
        .map_err(crate::stored)?;
    Ok(summary(&stored, &[]))
}

/// Imports a private key (RSA, ECDSA or Ed25519; PEM or OpenSSH; with its
/// passphrase if it has one). It is stored without the passphrase, sealed.
/// A caller who may create no key at all hears so before any complaint
/// about the input; then the decision is about this very name.
pub async fn import(
    services: &Services,
    actor: &Actor,
    name: &str,
    private_text: &str,
    passphrase: Option<&str>,
) -> Result<KeySummary, ErrorKind> {
    authz::authorize_listing(actor, "create:key")?;
    authz::authorize(actor, "create:key", &resource::key(name.trim()))?;
    let name = parse_name("id", name)?;
    let passphrase = passphrase.filter(|p| !p.is_empty());
    let pair = KeyPair::parse(private_text, passphrase).map_err(key_error)?;
    let key = store_pair(services, &name, &pair).await?;
    audit::success(
        services,
        actor,
        "create:key",
        &resource::key(&name),
        &format!("imported {} {}", key.algorithm, key.fingerprint),
    )
    .await?;
    Ok(key)
}

/// The algorithm a caller asked for: `ed25519` (also when absent) or
/// `rsa` (RSA 4096; `rsa4096` and `rsa-4096` too), in any case.
pub fn parse_algorithm(text: Option<&str>) -> Result<KeyAlgorithm, ErrorKind> {
    match text.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "ed25519") => Ok(KeyAlgorithm::Ed25519),
        Some("rsa" | "rsa4096" | "rsa-4096") => Ok(KeyAlgorithm::Rsa4096),
        Some(other) => Err(ErrorKind::invalid(
            "algorithm",
            format!("{other:?} is not offered: choose ed25519 or rsa"),
        )),
    }
}

/// Generates a key (`algorithm` as [`parse_algorithm`] reads it); stores it
/// when a name is given (`Some("")` is a name left empty: refused). Every
/// door calls this with what it was given: a caller who may create no key
/// hears so before any complaint about the input.
pub async fn generate(
    services: &Services,
    actor: &Actor,
    algorithm: Option<&str>,
    store_as: Option<&str>,
) -> Result<GeneratedKey, ErrorKind> {
    authz::authorize_listing(actor, "create:key")?;
    let algorithm = parse_algorithm(algorithm)?;
    let store_as = match store_as.map(str::trim) {
        Some("") => return Err(ErrorKind::invalid("id", "a key needs a name")),
        other => other,
    };
    let target = store_as.map_or_else(|| "key/*".to_owned(), resource::key);
    authz::authorize(actor, "create:key", &target)?;
    let name = store_as.map(|n| parse_name("id", n)).transpose()?;
    let pair = tokio::task::spawn_blocking(move || KeyPair::generate(algorithm))
        .await
        .map_err(internal)?
        .map_err(key_error)?;
    let key = match &name {
        Some(name) => {
            let key = store_pair(services, name, &pair).await?;
            audit::success(
                services,
                actor,
                "create:key",
                &target,
                &format!("generated {} {}", key.algorithm, key.fingerprint),
            )
            .await?;
            Some(key)
        }
        None => None,
    };
    Ok(GeneratedKey {
        private: pair.private_openssh(),
        public: pair.public_openssh(),
        key,
    })
}

/// Renames a key.
pub async fn rename(
    services: &Services,
    actor: &Actor,
    name: &str,
    new_name: &str,
) -> Result<KeySummary, ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    let new_name = parse_name("new_id", new_name)?;
    if !services
        .db
        .rename_key(name, &new_name)
        .await
        .map_err(crate::stored)?
    {
        return Err(not_found(name));
    }
    audit::success(
        services,
        actor,
        "edit:key",
        &resource::key(name),
        &format!("renamed to {new_name}"),
    )
    .await?;
    // Renamed; the new name may be outside what the caller may see.
    get(services, actor, &new_name).await
}

/// Makes a key the default.
pub async fn set_default(services: &Services, actor: &Actor, name: &str) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    if !services.db.set_default_key(name).await.map_err(internal)? {
        return Err(not_found(name));
    }
    audit::success(
        services,
        actor,
        "edit:key",
        &resource::key(name),
        "set as default",
    )
    .await
}

/// Deletes a key and its associations.
pub async fn delete(services: &Services, actor: &Actor, name: &str) -> Result<(), ErrorKind> {
    authz::authorize(actor, "delete:key", &resource::key(name))?;
    if !services.db.delete_key(name).await.map_err(internal)? {
        return Err(not_found(name));
    }
    audit::success(services, actor, "delete:key", &resource::key(name), "").await
}

/// The public part, OpenSSH format.
pub async fn public(services: &Services, actor: &Actor, name: &str) -> Result<String, ErrorKind> {
    authz::authorize(actor, "view:key", &resource::key(name))?;
    Ok(find(services, name).await?.public_key)
}

/// The private part. Every read, and every refused attempt, is audited.
pub async fn private(services: &Services, actor: &Actor, name: &str) -> Result<String, ErrorKind> {
    let target = resource::key(name);
    if let Err(e) = authz::authorize(actor, "read_private:key", &target) {
        audit::record(
            services,
            &actor.audit_name(),
            &actor.address,
            "read_private:key",
            &target,
            outcome::DENIED,
            "",
        )
        .await?;
        return Err(e);
    }
    let key = find(services, name).await?;
    let text = services
        .vault
        .open_str(&sealing_context(&key.id), &key.private_sealed)?;
    audit::success(services, actor, "read_private:key", &target, "").await?;
    Ok(text)
}

/// The usable key pair behind a stored key (for the SSH client).
pub(crate) fn pair_of(services: &Services, key: &StoredKey) -> Result<KeyPair, ErrorKind> {
    let text = services
        .vault
        .open_str(&sealing_context(&key.id), &key.private_sealed)?;
    KeyPair::parse(&text, None).map_err(|e| internal(format!("stored key {}: {e}", key.name)))
}
