//! OAuth2 (`POST /v3/access_token`) and the old mist.io `POST /auth`.
//!
//! A client is a service account: roles attached to it (by its username,
//! `oauth-<id>`) are all a `client_credentials` token can do. A `password`
//! grant acts as the user who signed in, through a client.

use domain::ErrorKind;
use serde::Serialize;
use store::oauth::OAuthClient;

use crate::{audit, authz::require_master, credentials, internal, tokens, Actor, Services};

/// Lifetime of a bearer token, in seconds (the Mobingi value).
pub const ACCESS_TOKEN_SECONDS: i64 = 43_200;

/// A client as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClientView {
    /// Public id.
    pub client_id: String,
    /// Label.
    pub name: String,
    /// The service account's username (attach roles to it).
    pub username: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

/// A client just created: the only time the secret is seen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CreatedClient {
    /// Public id.
    pub client_id: String,
    /// The secret.
    pub client_secret: String,
    /// The service account's username.
    pub username: String,
}

/// An issued bearer token, in the OAuth2 response shape.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AccessToken {
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: i64,
    /// The token.
    pub access_token: String,
}

/// What a token request carries.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    /// `password` or `client_credentials`.
    pub grant_type: String,
    /// The client's id.
    pub client_id: String,
    /// The client's secret.
    pub client_secret: String,
    /// For `password`: a username or an email.
    pub username: Option<String>,
    /// For `password`.
    pub password: Option<String>,
    /// For `password`, when the account signs in with two factors: the
    /// authenticator's code or a recovery code.
    pub code: Option<String>,
}

fn username_of(client_id: &str) -> String {
    format!("oauth-{}", client_id.trim_start_matches("ocid_"))
}

/// Creates a client (master only).
pub async fn create_client(
    services: &Services,
    actor: &Actor,
    name: &str,
) -> Result<CreatedClient, ErrorKind> {
    require_master(actor, "create:oauth_client")?;
    domain::names::check_visible("name", name)?;
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ErrorKind::invalid("name", "must be 1 to 100 characters"));
    }
    let client_id = format!("ocid_{}", credentials::random_hex(12)?);
    let secret = format!("ocs_{}", credentials::random_hex(32)?);
    let username = username_of(&client_id);
    services
        .db
        .create_oauth_client(
            &OAuthClient {
                client_id: client_id.clone(),
                account_id: uuid::Uuid::new_v4().to_string(),
                name: name.to_owned(),
                secret_hash: tokens::hash(&secret),
                created_at: services.now(),
            },
            &format!("{client_id}@oauth.invalid"),
            &username,
        )
        .await
        .map_err(internal)?;
    audit::success(
        services,
        actor,
        "create:oauth_client",
        &format!("oauth_client/{client_id}"),
        name,
    )
    .await?;
    Ok(CreatedClient {
        client_id,
        client_secret: secret,
        username,
    })
}

/// Every client (master only).
pub async fn list_clients(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<ClientView>, ErrorKind> {
    require_master(actor, "view:oauth_client")?;
    Ok(services
        .db
        .oauth_clients()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|c| ClientView {
            username: username_of(&c.client_id),
            client_id: c.client_id,
            name: c.name,
            created_at: c.created_at,
        })
        .collect())
}

/// Deletes a client and everything issued to it (master only).
pub async fn delete_client(
    services: &Services,
    actor: &Actor,
    client_id: &str,
) -> Result<(), ErrorKind> {
    require_master(actor, "delete:oauth_client")?;
    if !services
        .db
        .delete_oauth_client(client_id)
        .await
        .map_err(internal)?
    {
        return Err(ErrorKind::NotFound {
            what: "OAuth client".into(),
        });
    }
    audit::success(
        services,
        actor,
        "delete:oauth_client",
        &format!("oauth_client/{client_id}"),
        "",
    )
    .await
}

/// Issues a bearer token for a grant.
pub async fn access_token(
    services: &Services,
    grant: &Grant,
    address: &str,
) -> Result<AccessToken, ErrorKind> {
    let bad_client = || ErrorKind::InvalidCredentials;
    let Some(client) = services
        .db
        .oauth_client(grant.client_id.trim())
        .await
        .map_err(internal)?
    else {
        // A stack's agents: client id = the stack's id, secret = its auth token.
        return crate::stacks::agents::access_token(services, grant, address)
            .await?
            .ok_or_else(bad_client);
    };
    if !credentials::constant_time_eq(
        tokens::hash(&grant.client_secret).as_bytes(),
        client.secret_hash.as_bytes(),
    ) {
        audit::record(
            services,
            &client.client_id,
            address,
            "access_token",
            &format!("oauth_client/{}", client.client_id),
            audit::outcome::FAILURE,
            "wrong client secret",
        )
        .await?;
        return Err(bad_client());
    }
    let account_id = match grant.grant_type.as_str() {
        "client_credentials" => client.account_id.clone(),
        "password" => {
            let who = grant.username.as_deref().unwrap_or_default().trim();
            let password = grant.password.as_deref().unwrap_or_default();
            if who.is_empty() {
                return Err(ErrorKind::invalid(
                    "username",
                    "is required for the password grant",
                ));
            }
            let email = if who.contains('@') {
                who.to_owned()
            } else {
                services
                    .db
                    .account_by_username(who)
                    .await
                    .map_err(internal)?
                    .map(|a| a.email)
                    .unwrap_or_else(|| format!("{who}@unknown.invalid"))
            };
            crate::two_factor::sign_in::with_code(
                services,
                &email,
                password,
                grant.code.as_deref(),
                address,
            )
            .await?
            .id
        }
        other => {
            return Err(ErrorKind::invalid(
                "grant_type",
                format!("`{other}` is not supported; use password or client_credentials"),
            ))
        }
    };
    let expires_at = services.now() + ACCESS_TOKEN_SECONDS * 1000;
    let name = format!("oauth:{}", client.name);
    let (_, token) = tokens::issue(services, &account_id, &name, None, Some(expires_at)).await?;
    Ok(AccessToken {
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        access_token: token,
    })
}

/// The old mist.io sign-in for scripts: email and password give an API
/// token (valid like any other, for 90 days unused).
pub async fn mist_auth(
    services: &Services,
    email: &str,
    password: &str,
    code: Option<&str>,
    address: &str,
) -> Result<(String, store::accounts::Account), ErrorKind> {
    let account =
        crate::two_factor::sign_in::with_code(services, email, password, code, address).await?;
    let (_, token) = tokens::issue(services, &account.id, "mist_api_token", None, None).await?;
    Ok((token, account))
}
