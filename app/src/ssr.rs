//! Server-side helpers for server functions: the state, the caller, the
//! caller's address, the session's CSRF token, and the response being built.

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use service::{Actor, ClientAddress, CsrfToken, Services};

use crate::error::AppError;
use domain::ErrorKind;

/// The operations, provided as context by the server.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the Leptos context");
        AppError(ErrorKind::Internal)
    })
}

/// `read` of the request's head, borrowed: a page asks for the CSRF token
/// once per form (a Machines row has one), and a clone of the head copies
/// every header and extension.
fn with_parts<R>(read: impl FnOnce(&Parts) -> Option<R>) -> Option<R> {
    with_context::<Parts, _>(read).flatten()
}

/// The authenticated caller, if any (put there by the server's middleware).
pub fn actor() -> Option<Actor> {
    with_parts(|p| p.extensions.get::<Actor>().cloned())
}

/// The authenticated caller, or 401.
pub fn require_actor() -> Result<Actor, AppError> {
    actor().ok_or(AppError(ErrorKind::Unauthenticated))
}

/// Whether the caller's session may only enrol in two-factor sign-in (the
/// master requires it; put there by the server's middleware).
pub fn enrol_only() -> bool {
    with_parts(|p| {
        p.extensions
            .get::<service::two_factor::sign_in::EnrolOnly>()
            .map(|_| ())
    })
    .is_some()
}

/// The cookie session's CSRF token, if the caller is signed in with one
/// (put there by the server's middleware beside the [`Actor`]).
pub fn csrf_token() -> Option<String> {
    with_parts(|p| p.extensions.get::<CsrfToken>().map(|t| t.0.clone()))
}

/// The caller's network address, for throttling and the audit log of a
/// caller not signed in (a signed-in caller's is [`Actor::address`]).
pub fn client_address() -> String {
    with_parts(|p| p.extensions.get::<ClientAddress>().map(|a| a.0.clone()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The cookie session of this request.
pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| AppError(service::internal(e)))
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        res.append_header(http::header::SET_COOKIE, v);
    }
}

/// Sets a header on the response.
pub fn set_header(name: &'static str, value: &'static str) {
    if let Some(res) = use_context::<ResponseOptions>() {
        res.insert_header(
            http::HeaderName::from_static(name),
            http::HeaderValue::from_static(value),
        );
    }
}

/// Whether this request is a plain HTML form posted without JavaScript
/// (the browser asks for a page back), rather than a server-function call
/// from the page's script.
pub fn plain_form_post() -> bool {
    with_parts(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.contains("text/html"))
    })
    .unwrap_or(false)
}
