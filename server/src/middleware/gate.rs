//! Which requests need no credentials, and how a refusal looks: pages are
//! redirected to sign-in, everything else gets a 401 JSON body.

use axum::http::{header, HeaderMap, Method};

/// Pages an anonymous visitor may open.
pub const PUBLIC_PAGES: [&str; 4] = ["/signin", "/signin/code", "/setup", "/set-password"];

/// What a session that may only enrol in two-factor sign-in can reach (the
/// master requires it and the account has none): the account page and
/// the calls it makes to enrol, the session's own, signing out.
pub const ENROLMENT_PATHS: [&str; 8] = [
    "/account",
    "/api/session_info",
    "/api/sign_out",
    "/api/account/two_factor",
    "/api/account/begin_two_factor",
    "/api/account/confirm_two_factor",
    "/v3/user/two-factor",
    "/v3/user/two-factor/confirm",
];

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
pub const SHARED_PATHS: [&str; 3] = ["/keys", "/backends", "/machines"];

/// GET routes that act rather than read: `shell` runs a command on a
/// machine, `private` reveals (and audits the reading of) a private key.
/// With a cookie session they need the CSRF token like any write: the
/// `X-CSRFToken` header, or a `csrf_token` query parameter (the shell is
/// mist.io's iframe route, whose address carries it). The terminal's
/// websocket is the only other GET that acts; it checks the browser's
/// `Origin` instead (`rest::terminal`), as a websocket cannot send headers.
pub const ACTING_GETS: [&str; 2] = [
    "/backends/{backend_id}/machines/{machine_id}/shell",
    "/keys/{key_id}/private",
];

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

/// Whether `path` is one of the [`ACTING_GETS`] (a `{...}` segment matches
/// any one non-empty segment).
pub fn is_acting_get(path: &str) -> bool {
    ACTING_GETS
        .iter()
        .any(|pattern| matches_template(pattern, path))
}

fn matches_template(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// Whether the browser says the request comes from another site
/// (`Sec-Fetch-Site: cross-site`). Such a request may only view a page:
/// with a cookie session, anything else is refused whatever its method.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
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
    fn acting_gets_are_matched_by_template() {
        assert!(is_acting_get("/backends/b1/machines/m-1/shell"));
        assert!(is_acting_get("/keys/ops/private"));
        for p in [
            "/backends/b1/machines/m-1",
            "/backends/b1/machines//shell",
            "/backends/b1/machines/m-1/shell/x",
            "/keys/ops/public",
            "/keys/private",
        ] {
            assert!(!is_acting_get(p), "{p}");
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
