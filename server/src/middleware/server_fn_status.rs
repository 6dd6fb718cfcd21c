//! Server functions answer every error with 500; this puts the status the
//! error's kind names on the response instead (400 for bad input, 401, 403,
//! 409, 429 ...) and the REST API's body, so pages and API agree and a 500
//! means a real fault.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};
use domain::ErrorKind;
use server_fn_error::HEADER;

mod server_fn_error {
    /// Header server_fn sets on error responses.
    pub const HEADER: &str = "serverfnerror";
}

const MAX_ERROR_BYTES: usize = 64 * 1024;

/// The middleware.
pub async fn fix(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    match serde_json::from_slice::<ErrorKind>(&bytes) {
        Ok(kind) => {
            parts.status = StatusCode::from_u16(kind.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // The same body the REST API gives (with `message`, and `RBAC`
            // for a refusal); the page's client ignores the extra fields.
            let body = crate::http_error::error_body(&kind).to_string();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let mut response = Response::from_parts(parts, Body::from(body));
            crate::http_error::mark_denied(&kind, &mut response);
            response
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}
