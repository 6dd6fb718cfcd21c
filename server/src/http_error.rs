//! Turning an [`ErrorKind`] into an HTTP response: the status it names and a
//! JSON body `{"error": <kind>, ...fields, "message": <sentence>}`.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use domain::ErrorKind;

/// Marks a response as an authorisation refusal of `action`, so the
/// authentication middleware can audit it.
#[derive(Debug, Clone)]
pub struct Denied(pub String);

/// Attaches [`Denied`] to `response` when `kind` is a refusal.
pub fn mark_denied(kind: &ErrorKind, response: &mut Response) {
    if let ErrorKind::Forbidden { action } = kind {
        let action = action.clone().unwrap_or_else(|| "unknown".into());
        response.extensions_mut().insert(Denied(action));
    }
}

/// An error on its way out of a REST handler or middleware.
#[derive(Debug)]
pub struct ApiError(pub ErrorKind);

impl From<ErrorKind> for ApiError {
    fn from(kind: ErrorKind) -> Self {
        Self(kind)
    }
}

/// The JSON body for `kind`.
pub fn error_body(kind: &ErrorKind) -> serde_json::Value {
    let mut body = serde_json::to_value(kind).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(map) = body.as_object_mut() {
        // Bad input keeps its own `message` (what is wrong with the field
        // `field` names), so a page reads back the very error it was sent;
        // every other kind gets its sentence.
        if !matches!(kind, ErrorKind::InvalidInput { .. }) {
            map.insert("message".into(), kind.to_string().into());
        }
        if matches!(kind, ErrorKind::Forbidden { .. }) {
            map.insert("RBAC".into(), "Action not allowed".into());
        }
    }
    body
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(error_body(&self.0))).into_response();
        set_retry_after(&self.0, &mut response);
        mark_denied(&self.0, &mut response);
        response
    }
}

/// Puts `Retry-After` on the answer to a [`ErrorKind::Throttled`] (every
/// 429 says when to try again, whichever door answered it).
pub fn set_retry_after(kind: &ErrorKind, response: &mut Response) {
    if let ErrorKind::Throttled { retry_after_secs } = kind {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, (*retry_after_secs).max(1).into());
    }
}

/// The error body every 4xx and 5xx answer of the API carries, as
/// [`error_body`] writes it: the kind, a sentence, and the kind's own
/// fields. Documentation only (`ErrorBody` in the OpenAPI document).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The kind: `invalid_input`, `unauthenticated`, `credentials_refused`,
    /// `invalid_credentials`, `throttled`, `csrf`, `forbidden`, `not_found`,
    /// `conflict`, `setup_required`, `transport`, `upstream`, `too_large`,
    /// `internal`.
    pub error: String,
    /// What went wrong, for a person.
    pub message: String,
    /// `invalid_input`: the field at fault (a body field, a path or query
    /// parameter, or `body`).
    pub field: Option<String>,
    /// `forbidden`: the action refused, when it can be named.
    pub action: Option<String>,
    /// `forbidden`: always `Action not allowed` (mist.io's marker).
    #[serde(rename = "RBAC")]
    pub rbac: Option<String>,
    /// `csrf`, `credentials_refused`: why.
    pub reason: Option<String>,
    /// `not_found`: what was looked for.
    pub what: Option<String>,
    /// `throttled`: seconds until another attempt is accepted (also in
    /// `Retry-After`).
    pub retry_after_secs: Option<u64>,
    /// `too_large`: the most the server reads, in bytes.
    pub limit_bytes: Option<u64>,
}
