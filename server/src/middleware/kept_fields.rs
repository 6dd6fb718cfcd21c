//! What was typed into a plain form (posted without JavaScript) survives
//! its server function's failure: server_fn sends the browser back to the
//! page with the error in `__path`/`__err`, and this adds, as
//! `__kept.<name>` parameters of that address, the fields the form names in
//! its `__keep` field (`app::components::form::KeepFields`), so the page
//! shows them filled in again (`app::components::form::kept`). A field
//! whose name says it holds a secret (a password, a private key, a token, a
//! code) is never kept, whatever the form asks, nor is a long one: they
//! would otherwise sit in the address bar and the history.

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, Method},
    response::Response,
};

/// The hidden field naming the fields a form keeps (comma-separated).
pub const KEEP_FIELD: &str = "__keep";
/// The prefix of the parameters that carry the kept fields back.
pub const KEPT_PREFIX: &str = "__kept.";
/// Largest form body read to find the fields (a larger one keeps nothing).
const MAX_BODY: u64 = 1 << 20;
/// Longest value kept: a longer one (a script, a template) is dropped.
const MAX_VALUE: usize = 1024;
/// Most bytes the kept parameters add to the address.
const MAX_ADDED: usize = 4096;
/// A field whose name holds one of these is a secret, never kept.
const SECRET_PARTS: [&str; 8] = [
    "pass",
    "secret",
    "token",
    "priv",
    "apikey",
    "api_key",
    "credential",
    "code",
];

/// The fields to bring back, from a plain form's post to a server function;
/// `None` for any other request (whose redirects are left alone).
pub type Kept = Option<Vec<(String, String)>>;

/// Whether `req` is a plain form's post to a server function: the browser
/// posts it URL-encoded and accepts HTML (server_fn then redirects).
fn is_plain_post(req: &Request) -> bool {
    let header_has = |name, what: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(what))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// Whether a field called `name` may hold a secret.
fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARTS.iter().any(|part| name.contains(part))
}

/// The fields of a form body that its `__keep` field names and that are
/// neither secret, empty nor long, within [`MAX_ADDED`].
fn fields_to_keep(body: &[u8]) -> Vec<(String, String)> {
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return Vec::new();
    };
    let wanted: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == KEEP_FIELD)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.starts_with("__") && !is_secret(n))
        .collect();
    let mut added = 0;
    let mut kept = Vec::new();
    for (name, value) in &fields {
        if !wanted.contains(&name.as_str()) || value.is_empty() || value.len() > MAX_VALUE {
            continue;
        }
        let size = name.len() + value.len() * 3 + KEPT_PREFIX.len() + 2;
        if added + size > MAX_ADDED {
            break;
        }
        added += size;
        kept.push((name.clone(), value.clone()));
    }
    kept
}

/// Reads a plain form post's body for the fields it keeps, and gives the
/// request back whole; any other request passes untouched.
pub async fn take(req: Request) -> (Request, Kept) {
    if !is_plain_post(&req) {
        return (req, None);
    }
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if length.is_none_or(|n| n > MAX_BODY) {
        // Unknown or too long: reading it could leave half a body.
        return (req, Some(Vec::new()));
    }
    let (parts, body) = req.into_parts();
    match to_bytes(body, MAX_BODY as usize).await {
        Ok(bytes) => {
            let kept = fields_to_keep(&bytes);
            (Request::from_parts(parts, Body::from(bytes)), Some(kept))
        }
        // The body failed as it was read: the handler would have failed too.
        Err(_) => (Request::from_parts(parts, Body::empty()), Some(Vec::new())),
    }
}

/// Puts the kept fields on a plain post's redirect: an earlier failure's
/// are removed, and the ones of this post added when it failed (the
/// address carries `__err`).
pub fn apply(response: &mut Response, kept: &Kept) {
    let Some(kept) = kept else { return };
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let Some(fixed) = with_kept(location, kept) else {
        return;
    };
    if let Ok(value) = header::HeaderValue::from_str(&fixed) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}

/// `location` without its `__kept.` parameters and, if it carries an
/// error, with `kept`'s; `None` when that changes nothing.
fn with_kept(location: &str, kept: &[(String, String)]) -> Option<String> {
    let (rest, fragment) = match location.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (location, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let is_kept = |p: &str| {
        let key = p.split('=').next().unwrap_or_default();
        key.starts_with("__kept.") || key.starts_with("__kept%2E") || key.starts_with("__kept%2e")
    };
    let failed = pairs
        .iter()
        .any(|p| *p == "__err" || p.starts_with("__err="));
    let old = pairs.iter().filter(|p| is_kept(p)).count();
    let adds = failed && !kept.is_empty();
    if old == 0 && !adds {
        return None;
    }
    let mut query: Vec<String> = pairs
        .iter()
        .filter(|p| !is_kept(p))
        .map(|p| (*p).to_owned())
        .collect();
    if failed {
        query.extend(kept.iter().filter_map(|(name, value)| {
            serde_urlencoded::to_string([(format!("{KEPT_PREFIX}{name}"), value)]).ok()
        }));
    }
    let mut fixed = base.to_owned();
    if !query.is_empty() {
        fixed.push('?');
        fixed.push_str(&query.join("&"));
    }
    if let Some(f) = fragment {
        fixed.push('#');
        fixed.push_str(f);
    }
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::{fields_to_keep, with_kept};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_the_named_fields_that_are_no_secret_are_kept() {
        let body = b"csrf_token=t&__keep=id%2Cprivate_key%2Cpassword%2Cnote&id=web+key\
            &private_key=-----BEGIN&password=hunter22&note=&other=x";
        assert_eq!(fields_to_keep(body), pairs(&[("id", "web key")]));
        let long = format!("__keep=script&script={}", "a".repeat(2000));
        assert!(fields_to_keep(long.as_bytes()).is_empty());
        assert!(fields_to_keep(b"id=a").is_empty());
    }

    #[test]
    fn a_failure_carries_the_fields_and_a_success_drops_old_ones() {
        let kept = pairs(&[("id", "web key"), ("email", "a@b.c")]);
        assert_eq!(
            with_kept("http://h/keys?__path=%2Fapi%2Fx&__err=e", &kept).as_deref(),
            Some("http://h/keys?__path=%2Fapi%2Fx&__err=e&__kept.id=web+key&__kept.email=a%40b.c")
        );
        assert_eq!(
            with_kept(
                "http://h/keys?q=1&__kept.id=old&__path=p&__err=e#f",
                &kept[..1]
            )
            .as_deref(),
            Some("http://h/keys?q=1&__path=p&__err=e&__kept.id=web+key#f")
        );
        assert_eq!(
            with_kept("http://h/keys?__kept.id=old", &kept).as_deref(),
            Some("http://h/keys")
        );
        assert_eq!(with_kept("http://h/keys?q=1", &kept), None);
        assert_eq!(with_kept("http://h/keys?__path=p&__err=e", &[]), None);
    }
}
