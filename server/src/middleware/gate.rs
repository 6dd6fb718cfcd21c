//! Which requests need no credentials, and how a refusal looks: pages are
//! redirected to sign-in, everything else gets a 401 JSON body.

use axum::http::{header, HeaderMap, Method};

/// Pages an anonymous visitor may open.
pub const PUBLIC_PAGES: [&str; 3] = ["/signin", "/setup", "/set-password"];

/// Unauthenticated REST endpoints.
pub const PUBLIC_ENDPOINTS: [&str; 5] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/v3/access_token",
    "/auth",
];

/// Paths that are both a page (for a browser) and a REST route (mist.io
/// put its API there); `router::negotiate` tells them apart by `Accept`.
pub const SHARED_PATHS: [&str; 2] = ["/keys", "/backends"];

/// Static files.
const PUBLIC_PREFIXES: [&str; 1] = ["/pkg/"];
const PUBLIC_FILES: [&str; 3] = ["/favicon.svg", "/favicon.ico", "/robots.txt"];

/// Whether `path` is a static file (public, and needing no session look-up).
pub fn is_static_file(path: &str) -> bool {
    PUBLIC_FILES.contains(&path) || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// Whether `path` may be requested without credentials. (`/metrics` checks
/// its own rule: the master, or a caller on loopback.)
pub fn is_public(path: &str) -> bool {
    PUBLIC_PAGES.contains(&path)
        || PUBLIC_ENDPOINTS.contains(&path)
        || PUBLIC_FILES.contains(&path)
        || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
        || app::api::session::PUBLIC_SERVER_FNS.contains(&path)
}

/// Whether a request is a browser navigating to a page (as opposed to an
/// API call), judged by method, path and `Accept`.
pub fn is_page_request(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && !path.starts_with("/api/")
        && !PUBLIC_ENDPOINTS.contains(&path)
        && path != "/openapi.json"
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sign_in_setup_health_and_static_files_are_public() {
        for p in [
            "/signin",
            "/setup",
            "/healthz",
            "/readyz",
            "/pkg/overcast.wasm",
            "/api/sign_in",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/",
            "/machines",
            "/api/sign_out",
            "/openapi.json",
            "/signin/x",
            "/pkgx",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }

    #[test]
    fn browsers_asking_for_html_get_pages_and_others_get_the_api() {
        let mut html = HeaderMap::new();
        html.insert(
            header::ACCEPT,
            "text/html,application/xhtml+xml".parse().unwrap(),
        );
        assert!(is_page_request(&Method::GET, "/machines", &html));
        assert!(!is_page_request(&Method::POST, "/machines", &html));
        assert!(!is_page_request(&Method::GET, "/api/session_info", &html));
        assert!(!is_page_request(
            &Method::GET,
            "/machines",
            &HeaderMap::new()
        ));
    }
}
