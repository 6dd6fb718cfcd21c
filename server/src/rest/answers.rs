//! The small answers REST handlers build themselves (the larger ones are
//! the domain's and the service's types), typed so the OpenAPI document
//! describes exactly what is sent.

use domain::providers::Provider;
use serde::Serialize;
use utoipa::ToSchema;

/// mist.io's acknowledgement: `{"status": "success"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success {
    /// Always `success`.
    #[schema(example = "success")]
    pub status: &'static str,
}

/// `{"status": "success"}`.
pub fn success() -> axum::Json<Success> {
    axum::Json(Success { status: "success" })
}

/// A machine's tags after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagSet {
    /// `key` or `key=value`.
    pub tags: Vec<String>,
}

/// Whether an image is starred after toggling it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Star {
    /// Starred now.
    pub star: bool,
}

/// The provider catalogue (mist.io's `GET /providers`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Providers {
    /// Every provider a backend can be added for.
    pub supported_providers: Vec<Provider>,
}

/// A user just created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    /// Always `success`.
    pub status: &'static str,
    /// The new account's id.
    pub user_id: String,
    /// Without a password: the one-time link to set one (72 hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_link: Option<String>,
}

/// A new one-time password link.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordLink {
    /// Always `success`.
    pub status: &'static str,
    /// `/set-password?token=...`, valid 72 hours, once.
    pub password_link: String,
}

/// A role just created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRole {
    /// Always `success`.
    pub status: &'static str,
    /// The new role's id.
    pub role_id: String,
}

/// A role just attached.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachedRole {
    /// Always `success`.
    pub status: &'static str,
    /// The attachment's id.
    pub user_role_id: String,
}

/// Who signed in through mist.io's `POST /auth`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetails {
    /// Email.
    pub email: String,
    /// Username.
    pub username: String,
    /// Whether this is the master account.
    pub is_master: bool,
}

/// mist.io's sign-in answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MistToken {
    /// An API token: send it as `Authorization: Token <t>` (or mist.io's
    /// `mist_1 <email>:<t>`).
    pub mist_api_token: String,
    /// The account.
    pub user_details: UserDetails,
}

/// Liveness or readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    pub status: &'static str,
    /// Why it is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
}
