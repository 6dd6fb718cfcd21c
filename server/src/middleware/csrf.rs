//! The CSRF check of the Mist API: a state-changing request made with a
//! cookie session carries the session's token in `X-CSRFToken`, or, for a
//! form posted without JavaScript, in the `csrf_token` field. Before there
//! is a session, a post that would start one must come from this
//! installation's own pages ([`refuse_foreign_sign_in`]: login CSRF).

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use domain::ErrorKind;
use service::{
    credentials::constant_time_eq,
    session::{CSRF_FIELD, CSRF_HEADER},
};

/// Largest form body buffered to look for the token.
const MAX_FORM_BYTES: usize = 1 << 20;

/// Whether `method` changes state and so needs the token.
pub fn needs_token(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks a GET that acts ([`super::gate::ACTING_GETS`]): the token in the
/// `X-CSRFToken` header or in the `csrf_token` query parameter.
pub fn check_acting_get(req: &Request, expected: &str) -> Result<(), ErrorKind> {
    if let Some(given) = req.headers().get(CSRF_HEADER) {
        return if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            Ok(())
        } else {
            Err(refused(
                "the X-CSRFToken header does not match this session's token",
            ))
        };
    }
    let query = req.uri().query().unwrap_or_default();
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    match fields.iter().find(|(k, _)| k == CSRF_FIELD) {
        Some((_, t)) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => Ok(()),
        Some(_) => Err(refused(
            "the csrf_token parameter does not match this session's token",
        )),
        None => Err(refused(
            "this address acts (it is not a plain read): it needs the X-CSRFToken header \
             or the csrf_token parameter",
        )),
    }
}

/// Checks `req` against the session's `expected` token; returns the request
/// (its body rebuilt when it had to be read) or why it was refused.
pub async fn check(req: Request, expected: &str) -> Result<Request, ErrorKind> {
    if let Some(given) = req.headers().get(CSRF_HEADER) {
        return if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            Ok(req)
        } else {
            Err(refused(
                "the X-CSRFToken header does not match this session's token",
            ))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused("the X-CSRFToken header is missing"));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| ErrorKind::invalid("body", "form body too large or unreadable"))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|_| ErrorKind::invalid("body", "form body is not URL-encoded"))?;
    let token = fields
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str());
    match token {
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        Some(_) => Err(refused(
            "the csrf_token field does not match this session's token",
        )),
        None => Err(refused(
            "the X-CSRFToken header is missing, and so is the csrf_token form field",
        )),
    }
}

/// The posts that start a cookie session: signing in (the server functions
/// the sign-in forms post to, the password's and the two-factor code's,
/// with or without JavaScript, and the pages' own addresses) and setting up
/// the master account.
pub const SESSION_STARTS: [&str; 5] = [
    "/api/sign_in",
    "/signin",
    "/api/sign_in_code",
    "/signin/code",
    "/api/create_master",
];

/// Whether `origin` (an `Origin` header's value) is this installation's:
/// its host and port are those the request was sent to (`Host`), or those
/// of the public URL.
pub fn is_own_origin(origin: &str, headers: &HeaderMap, public_url: &str) -> bool {
    let host_of = |url: &str| -> String {
        url.split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let origin_host = host_of(origin);
    if origin_host.is_empty() || !origin.contains("://") {
        return false; // "null" (a sandboxed frame, a redirect chain), or nonsense
    }
    let requested = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    origin_host == requested || origin_host == host_of(public_url)
}

/// Refuses a post that would start a session ([`SESSION_STARTS`]) when the
/// browser says it comes from another site (`Sec-Fetch-Site: cross-site`)
/// or from an `Origin` that is not this installation's: another site must
/// not sign a visitor in to an account of its choosing. Callers that are
/// not browsers send neither header and are let through.
pub async fn refuse_foreign_sign_in(
    State(public_url): State<String>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::POST || !SESSION_STARTS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let foreign_origin = headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or_default())
        .is_some_and(|o| !is_own_origin(o, headers, &public_url));
    if super::gate::is_cross_site(headers) || foreign_origin {
        return crate::http_error::ApiError(refused(
            "signing in is only possible from this installation's own sign-in page",
        ))
        .into_response();
    }
    next.run(req).await
}

fn refused(reason: &str) -> ErrorKind {
    ErrorKind::Csrf {
        reason: reason.to_owned(),
    }
}
