//! Extractors shared by REST handlers: the authenticated caller, the
//! caller's address, and a body that may be JSON or form-encoded (the
//! Mobingi docs send both).

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts},
};
use domain::ErrorKind;
use serde::de::DeserializeOwned;
use service::{Actor, ClientAddress};

use crate::http_error::ApiError;

/// The authenticated caller (401 without one).
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(Caller)
            .ok_or(ApiError(ErrorKind::Unauthenticated))
    }
}

/// The caller's network address, for callers without an [`Actor`] (sign-in,
/// OAuth grants); a signed-in caller's rides in [`Actor::address`].
pub struct Address(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Address {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Address(
            parts
                .extensions
                .get::<ClientAddress>()
                .map(|a| a.0.clone())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// A request body as JSON, or as `application/x-www-form-urlencoded`.
/// An empty body reads as `{}`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError(ErrorKind::invalid("body", "unreadable or too large")))?;
        let parsed = if form {
            serde_urlencoded::from_bytes(&bytes).map_err(|e| e.to_string())
        } else if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_str("{}").map_err(|e| e.to_string())
        } else {
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        };
        parsed
            .map(Body)
            .map_err(|e| ApiError(ErrorKind::invalid("body", e)))
    }
}

/// A JSON document that may also arrive as a string holding JSON (as a
/// form field must).
pub fn json_field(value: serde_json::Value, field: &str) -> Result<serde_json::Value, ApiError> {
    match value {
        serde_json::Value::String(text) => serde_json::from_str(&text)
            .map_err(|e| ApiError(ErrorKind::invalid(field, format!("is not valid JSON: {e}")))),
        other => Ok(other),
    }
}

/// An administrative action, named for the refusal.
pub trait AdminAction {
    /// The action as the audit log and the 403 body name it.
    const NAME: &'static str;
}

macro_rules! admin_actions {
    ($($ty:ident => $name:literal),* $(,)?) => {
        $(
            #[doc = concat!("The `", $name, "` administrative action.")]
            pub struct $ty;
            impl AdminAction for $ty {
                const NAME: &'static str = $name;
            }
        )*
    };
}

admin_actions! {
    ViewRoles => "view:role",
    CreateRole => "create:role",
    EditRole => "edit:role",
    DeleteRole => "delete:role",
    AttachRole => "attach:role",
    DetachRole => "detach:role",
    CreateUser => "create:user",
    EditUser => "edit:user",
    DeleteUser => "delete:user",
    ViewOAuthClients => "view:oauth_client",
    CreateOAuthClient => "create:oauth_client",
    DeleteOAuthClient => "delete:oauth_client",
}

/// The caller, who must be the master account (403 naming `A` otherwise,
/// 401 without credentials). Checked before the body is read, so a refused
/// caller learns nothing from validation errors.
pub struct Master<A>(pub Actor, pub std::marker::PhantomData<A>);

impl<S: Send + Sync, A: AdminAction> FromRequestParts<S> for Master<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        service::authz::require_master(&actor, A::NAME)?;
        Ok(Master(actor, std::marker::PhantomData))
    }
}
