//! `/keys`: SSH keys in the mist.io v1 shapes.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use domain::inventory::{KeyMachineRef, KeySummary};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller},
    AppState,
};

/// The keys the caller may see, with the machines each opens as
/// `[backend_id, machine_id, last_used, ssh_user, sudo]`.
#[utoipa::path(get, path = "/keys", tag = "keys",
    responses((status = 200, description = "[{\"id\", \"name\", \"default_key\", \"isDefault\", \"algorithm\", \"fingerprint\", \"machines\"}]"), (status = 401), (status = 403)))]
pub async fn list_keys(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<KeySummary>>, ApiError> {
    Ok(Json(service::keys::list(&state.services, &actor).await?))
}

/// Body of `PUT /keys`.
#[derive(Debug, Deserialize)]
pub struct ImportKey {
    id: Option<String>,
    #[serde(rename = "priv")]
    private: Option<String>,
    passphrase: Option<String>,
}

/// Imports a private key (RSA, ECDSA or Ed25519; PEM or OpenSSH).
#[utoipa::path(put, path = "/keys", tag = "keys",
    responses((status = 201, description = "The stored key"), (status = 400, description = "Not a usable private key: the body says why"), (status = 409, description = "A key with this id exists")))]
pub async fn import_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<ImportKey>,
) -> Result<(StatusCode, Json<KeySummary>), ApiError> {
    let key = service::keys::import(
        &state.services,
        &actor,
        body.id.as_deref().unwrap_or_default(),
        body.private.as_deref().unwrap_or_default(),
        body.passphrase.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// Body of `POST /keys/generate`.
#[derive(Debug, Deserialize)]
pub struct GenerateKey {
    /// `ed25519` (the default) or `rsa` (4096 bits).
    algorithm: Option<String>,
    /// Store the new key under this id; omit to only get it back.
    id: Option<String>,
}

/// Generates a key: Ed25519, or RSA 4096 with `"algorithm": "rsa"`. The
/// private part is in the answer (`priv`); with an `id` it is also stored.
/// (The mist.io API overloaded `GET /keys` for this.)
#[utoipa::path(post, path = "/keys/generate", tag = "keys",
    responses((status = 200, description = "{\"priv\", \"public\", \"key\"}"), (status = 400), (status = 409)))]
pub async fn generate_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<GenerateKey>,
) -> Result<Json<service::keys::GeneratedKey>, ApiError> {
    Ok(Json(
        service::keys::generate(
            &state.services,
            &actor,
            body.algorithm.as_deref(),
            body.id.as_deref(),
        )
        .await?,
    ))
}

/// Generates a key at the path mist.io routed it to (`POST /keys`): the
/// same as `POST /keys/generate`, answering `{"priv": "-----BEGIN ..."}`.
#[utoipa::path(post, path = "/keys", tag = "keys",
    responses((status = 200, description = "{\"priv\", \"public\", \"key\"}: as POST /keys/generate"), (status = 400), (status = 409)))]
pub async fn generate_key_mist(
    state: State<AppState>,
    caller: Caller,
    body: Body<GenerateKey>,
) -> Result<Json<service::keys::GeneratedKey>, ApiError> {
    generate_key(state, caller, body).await
}

/// Body of `PUT /keys/{key_id}`.
#[derive(Debug, Deserialize)]
pub struct RenameKey {
    new_id: Option<String>,
}

/// Renames a key.
#[utoipa::path(put, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id (its name)")),
    responses((status = 200), (status = 400), (status = 404), (status = 409)))]
pub async fn rename_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
    Body(body): Body<RenameKey>,
) -> Result<Json<KeySummary>, ApiError> {
    Ok(Json(
        service::keys::rename(
            &state.services,
            &actor,
            &key_id,
            body.new_id.as_deref().unwrap_or_default(),
        )
        .await?,
    ))
}

/// Makes a key the default.
#[utoipa::path(post, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200), (status = 404)))]
pub async fn set_default_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service::keys::set_default(&state.services, &actor, &key_id).await?;
    Ok(Json(json!({"status": "success"})))
}

/// Deletes a key and its machine associations.
#[utoipa::path(delete, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200), (status = 404)))]
pub async fn delete_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service::keys::delete(&state.services, &actor, &key_id).await?;
    Ok(Json(json!({"status": "success"})))
}

/// The public key, OpenSSH format, as a JSON string.
#[utoipa::path(get, path = "/keys/{key_id}/public", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "\"ssh-ed25519 AAAA...\""), (status = 404)))]
pub async fn public_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<String>, ApiError> {
    Ok(Json(
        service::keys::public(&state.services, &actor, &key_id).await?,
    ))
}

/// The private key, as a JSON string: needs `read_private:key`; every read
/// and every refusal is audited.
#[utoipa::path(get, path = "/keys/{key_id}/private", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "\"-----BEGIN OPENSSH PRIVATE KEY-----...\""), (status = 403), (status = 404)))]
pub async fn private_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<String>, ApiError> {
    Ok(Json(
        service::keys::private(&state.services, &actor, &key_id).await?,
    ))
}

/// Associates a key with a machine: the user it logs in as, and sudo
/// (mist.io's body `{"user", "host", "port"}` too); answers the machines the
/// key opens.
#[utoipa::path(put, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    responses((status = 200, description = "[{\"backend_id\", \"machine_id\", \"last_used\", \"ssh_user\", \"sudo\"}]: the machines the key opens"), (status = 400), (status = 403), (status = 404)))]
pub async fn associate_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
    Body(body): Body<service::keys::AssociationRequest>,
) -> Result<Json<Vec<KeyMachineRef>>, ApiError> {
    Ok(Json(
        service::keys::associate(
            &state.services,
            &actor,
            &key_id,
            &backend_id,
            &machine_id,
            &body,
        )
        .await?,
    ))
}

/// Removes a key's association with a machine; answers the machines the
/// key still opens.
#[utoipa::path(delete, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    responses((status = 200, description = "The machines the key still opens"), (status = 403), (status = 404)))]
pub async fn disassociate_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
) -> Result<Json<Vec<KeyMachineRef>>, ApiError> {
    Ok(Json(
        service::keys::disassociate(&state.services, &actor, &key_id, &backend_id, &machine_id)
            .await?,
    ))
}

/// Deploys a key to a machine: appends its public part to the login user's
/// `~/.ssh/authorized_keys` through a key that already opens the machine,
/// proves it by logging in with it, and associates it. Needs `edit:key`
/// and `shell:machine`.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}/deploy", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    responses((status = 200, description = "{\"key\", \"ssh_user\", \"sudo\"}"), (status = 403), (status = 404), (status = 409), (status = 502, description = "The machine could not be reached, or refused the change or the new key")))]
pub async fn deploy_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
) -> Result<Json<service::keys::Deployed>, ApiError> {
    Ok(Json(
        service::keys::deploy(&state.services, &actor, &key_id, &backend_id, &machine_id).await?,
    ))
}
