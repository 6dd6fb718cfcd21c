//! Server functions answer every error with 500; this puts the status the
//! error's kind names on the response instead (400 for bad input, 401, 403,
//! 409, 429 ...) and the REST API's body, so pages and API agree and a 500
//! means a real fault. A plain form's failed post comes back to its page
//! with one error in the address and the fields it keeps
//! ([`super::kept_fields`]).

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, StatusCode},
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
    let (req, kept) = super::kept_fields::take(req).await;
    let mut response = next.run(req).await;
    if response.status().is_redirection() {
        keep_last_error(&mut response);
        super::kept_fields::apply(&mut response, &kept);
        return response;
    }
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
            let body = crate::http_error::error_body(&kind).to_string();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            let mut response = Response::from_parts(parts, Body::from(body));
            crate::http_error::set_retry_after(&kind, &mut response);
            crate::http_error::mark_denied(&kind, &mut response);
            response
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// A plain form's failed post is redirected back to the page it came from
/// with the error in `__path` and `__err`; server_fn appends them to that
/// address, so each failed retry would add another pair. Only the last
/// pair is kept.
fn keep_last_error(response: &mut Response) {
    let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let Some(fixed) = without_older_errors(location) else {
        return;
    };
    if let Ok(value) = header::HeaderValue::from_str(&fixed) {
        response.headers_mut().insert(header::LOCATION, value);
    }
}

/// `location` with every `__path`/`__err` pair but the last removed, or
/// `None` when it has at most one of each.
fn without_older_errors(location: &str) -> Option<String> {
    let (base, query) = location.split_once('?')?;
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let is = |p: &str, key: &str| p == key || p.starts_with(&format!("{key}="));
    let count = |key: &str| pairs.iter().filter(|p| is(p, key)).count();
    if count("__path") <= 1 && count("__err") <= 1 {
        return None;
    }
    let last = |key: &str| pairs.iter().rev().find(|p| is(p, key)).copied();
    let (path, err) = (last("__path"), last("__err"));
    let mut kept: Vec<&str> = pairs
        .iter()
        .filter(|p| !is(p, "__path") && !is(p, "__err"))
        .copied()
        .collect();
    kept.extend(path);
    kept.extend(err);
    let mut fixed = format!("{base}?{}", kept.join("&"));
    if let Some(f) = fragment {
        fixed.push('#');
        fixed.push_str(f);
    }
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use domain::ErrorKind;

    use super::without_older_errors;

    #[test]
    fn every_door_sends_a_body_that_reads_back_as_the_error() {
        for kind in [
            ErrorKind::invalid("name", "is required"),
            ErrorKind::NotFound {
                what: "key \"k\"".into(),
            },
        ] {
            let back: ErrorKind =
                serde_json::from_value(crate::http_error::error_body(&kind)).unwrap();
            assert_eq!(back, kind);
        }
    }

    #[test]
    fn only_the_last_error_stays_in_the_address() {
        assert_eq!(
            without_older_errors(
                "http://h/machines/b/m?script=1&__path=%2Fa&__err=old&__path=%2Fa&__err=new"
            )
            .as_deref(),
            Some("http://h/machines/b/m?script=1&__path=%2Fa&__err=new")
        );
        assert_eq!(without_older_errors("http://h/x?__path=%2Fa&__err=e"), None);
        assert_eq!(without_older_errors("/keys"), None);
    }
}
