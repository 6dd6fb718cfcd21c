use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::GetUrl;

use crate::{csrf_client::CsrfClient, error::AppError};

/// An OAuth client as the Admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRow {
    /// Public id.
    pub client_id: String,
    /// Label.
    pub name: String,
    /// The service account's username (attach roles to it).
    pub username: String,
}

/// A client just created: its id and the secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewClientSecret {
    /// Public id.
    pub client_id: String,
    /// The secret.
    pub client_secret: String,
    /// The service account's username.
    pub username: String,
}

/// Every OAuth client (master only).
#[server(endpoint = "admin/oauth_clients", input = GetUrl)]
pub async fn list_oauth_clients() -> Result<Vec<ClientRow>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::oauth::list_clients(&ssr::services()?, &actor)
        .await?
        .into_iter()
        .map(|c| ClientRow {
            client_id: c.client_id,
            name: c.name,
            username: c.username,
        })
        .collect())
}

/// Creates an OAuth client (master only); the secret is returned once.
#[server(endpoint = "admin/create_oauth_client", client = CsrfClient)]
pub async fn create_oauth_client(
    #[server(default)] name: String,
) -> Result<NewClientSecret, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let c = service::oauth::create_client(&ssr::services()?, &actor, &name).await?;
    Ok(NewClientSecret {
        client_id: c.client_id,
        client_secret: c.client_secret,
        username: c.username,
    })
}

/// Deletes an OAuth client and everything issued to it (master only).
#[server(endpoint = "admin/delete_oauth_client", client = CsrfClient)]
pub async fn delete_oauth_client(#[server(default)] client_id: String) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::oauth::delete_client(&ssr::services()?, &actor, &client_id).await?;
    Ok(())
}
