//! The headers every answer carries, set in one place:
//!
//! - `Content-Security-Policy` ([`policy`]): scripts only from this site
//!   or inline with this answer's nonce (Leptos puts it on its hydration
//!   script and its resource chunks; the nonce is drawn here, before the
//!   page renders, and handed to Leptos through the request: [`CspNonce`]),
//!   WebAssembly compiled (`'wasm-unsafe-eval'`), connections (the
//!   terminal's websocket) to this site only, and no framing at all;
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//!   `X-Frame-Options: DENY` (what `frame-ancestors` says, for browsers that
//!   predate it);
//! - `Cache-Control: no-store` on every answer that is not a file (private
//!   keys, new tokens, generated keys, password links, pages with a
//!   session's token): none of them may be kept by a browser or a proxy.
//!
//! A handler that sets one of these itself keeps its own (the mist.io
//! shell iframe, the static files' revalidation).

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use crate::AppState;

/// This request's CSP nonce: fresh for every request, in the request's
/// extensions for the page renderer (`router.rs` hands it to Leptos).
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// A fresh nonce: 16 random bytes, base64url without padding.
pub fn new_nonce() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: a nonce that is never the same twice is still
        // better than none; the policy stays strict either way.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = now.to_le_bytes();
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The Content-Security-Policy of an answer whose inline scripts carry
/// `nonce`, connecting back to `websockets` (the `ws://` and `wss://`
/// forms of this site's own address; `'self'` covers them in current
/// browsers, these in older ones).
pub fn policy(nonce: &str, websockets: &str) -> String {
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; \
         font-src 'self'; \
         connect-src 'self'{websockets}; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The websocket sources of this site: ` ws://<host> wss://<host>` for the
/// `Host` the browser used and for the public URL's host (empty for a host
/// that is not a plain `name[:port]`).
fn websocket_sources(headers: &HeaderMap, public_url: &str) -> String {
    let requested = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let public = public_url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let plain = |h: &&str| {
        !h.is_empty()
            && !h.ends_with(":0")
            && h.len() <= 255
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    };
    let mut hosts: Vec<&str> = [requested, public].into_iter().filter(plain).collect();
    hosts.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut sources: String = hosts
        .iter()
        .map(|h| format!(" ws://{h} wss://{h}"))
        .collect();
    if reloading() {
        // `cargo leptos watch`: the page's reload script connects to the
        // watcher's own port.
        sources.push_str(" ws: wss:");
    }
    sources
}

/// Whether the server runs under `cargo leptos watch` (`LEPTOS_WATCH`),
/// whose `<AutoReload>` script opens a websocket to another port.
fn reloading() -> bool {
    static WATCH: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WATCH.get_or_init(|| std::env::var_os("LEPTOS_WATCH").is_some())
}

/// The middleware.
pub async fn secure(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = new_nonce();
    let websockets = websocket_sources(req.headers(), &state.services.settings.public_url);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let is_file = headers.contains_key(header::ETAG) || headers.contains_key(header::LAST_MODIFIED);
    keep_or_set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        &policy(&nonce, &websockets),
    );
    keep_or_set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    keep_or_set(headers, header::REFERRER_POLICY, "same-origin");
    keep_or_set(headers, header::X_FRAME_OPTIONS, "DENY");
    if !is_file {
        keep_or_set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

fn keep_or_set(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if headers.contains_key(&name) {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_fit_a_policy() {
        let (a, b) = (new_nonce(), new_nonce());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn websockets_go_to_this_site_only() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(
            websocket_sources(&headers, "https://overcast.example.com/"),
            " ws://127.0.0.1:8080 wss://127.0.0.1:8080 \
             ws://overcast.example.com wss://overcast.example.com"
        );
        headers.insert(header::HOST, "evil; script-src *".parse().unwrap());
        assert_eq!(
            websocket_sources(&headers, "http://h:1"),
            " ws://h:1 wss://h:1"
        );
    }
}
