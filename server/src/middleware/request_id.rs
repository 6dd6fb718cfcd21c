//! A request id for every request: drawn here (the outermost layer), put
//! on a tracing span with the method and path, so every log line written
//! while the request is served (an internal error's among them) names
//! them, and sent back in `x-request-id`, so an operator can find the log
//! lines of the answer a user reports.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

/// The response header carrying the id.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// This request's id, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A fresh id: 16 hexadecimal digits.
pub fn new_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = (now as u64).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware. The span is at `ERROR` level so that it is there
/// whenever an error is logged, whatever the log filter.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = new_id();
    let span = tracing::error_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
