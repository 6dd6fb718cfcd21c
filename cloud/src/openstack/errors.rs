//! OpenStack's error bodies and their mapping onto `DriverError`.
//!
//! Nova wraps its message in an object named after the fault
//! (`{"itemNotFound": {"message", "code"}}`, `badRequest`, `overLimit`,
//! `forbidden`, `conflictingRequest`); Keystone uses `{"error": {...}}`
//! (Rackspace's identity: `{"unauthorized": {...}}`).

use serde_json::Value;

use crate::error::DriverError;
use crate::http::Response;

/// The fault's name (`"overLimit"`) when the body has one, and its message
/// (else `HTTP <status> <reason>`).
pub(crate) fn message(resp: &Response) -> (Option<String>, String) {
    let body: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let found = body.as_ref().and_then(Value::as_object).and_then(|map| {
        if let Some(text) = map.get("message").and_then(Value::as_str) {
            return Some((None, text.to_owned()));
        }
        map.iter().find_map(|(fault, inner)| {
            let text = inner.get("message").and_then(Value::as_str)?;
            Some((Some(fault.clone()), text.to_owned()))
        })
    });
    match found {
        Some((fault, text)) if !text.trim().is_empty() => (fault, crate::error::excerpt(&text)),
        other => {
            let status = resp.status.as_u16();
            let reason = resp.status.canonical_reason().unwrap_or("error");
            (
                other.and_then(|(f, _)| f),
                format!("HTTP {status} {reason}"),
            )
        }
    }
}

/// The error for a final non-2xx answer from Nova.
///
/// Quota refusals come as 413 `overLimit` (older Nova, Rackspace) or 403
/// `forbidden` "Quota exceeded" (newer): `Quota`. A 413 that is a rate
/// limit ("rate-limited", with `retryAfter`) is `Unavailable`, like a 429.
/// Other 403s are a policy refusal: `BadCredentials` quoting it.
pub(crate) fn nova(resp: &Response) -> DriverError {
    let status = resp.status.as_u16();
    let (fault, text) = message(resp);
    let lower = text.to_lowercase();
    let rate_limited = lower.contains("rate-limit") || lower.contains("rate limit");
    let quota = fault.as_deref() == Some("overLimit")
        || lower.contains("quota")
        || (lower.contains("limit") && (lower.contains("exceed") || lower.contains("reach")));
    match status {
        413 | 403 if rate_limited => DriverError::Unavailable(format!("rate limited: {text}")),
        413 | 403 if quota => DriverError::Quota(text),
        413 => DriverError::InvalidRequest(text),
        _ => DriverError::from_status(status, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response::for_test(status, body)
    }

    #[test]
    fn nova_faults_map_to_the_kinds_operators_act_on() {
        let quota = r#"{"overLimit": {"message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances", "code": 413}}"#;
        assert!(
            matches!(nova(&resp(413, quota)), DriverError::Quota(m) if m.starts_with("Quota exceeded"))
        );
        let newer = r#"{"forbidden": {"message": "Quota exceeded for cores", "code": 403}}"#;
        assert!(matches!(nova(&resp(403, newer)), DriverError::Quota(_)));
        let rate =
            r#"{"overLimit": {"message": "This request was rate-limited.", "retryAfter": "3"}}"#;
        assert!(nova(&resp(413, rate)).is_transient());
        let policy = r#"{"forbidden": {"message": "Policy doesn't allow os_compute_api:servers:create to be performed.", "code": 403}}"#;
        assert!(matches!(
            nova(&resp(403, policy)),
            DriverError::BadCredentials(_)
        ));
        let bad = r#"{"badRequest": {"message": "Invalid imageRef provided.", "code": 400}}"#;
        assert_eq!(
            nova(&resp(400, bad)),
            DriverError::InvalidRequest("Invalid imageRef provided.".into())
        );
        assert_eq!(
            nova(&resp(404, "<html>")),
            DriverError::NotFound("HTTP 404 Not Found".into())
        );
    }

    #[test]
    fn keystone_messages_are_found_in_either_shape() {
        let v3 = r#"{"error": {"message": "The request you have made requires authentication.", "code": 401, "title": "Unauthorized"}}"#;
        assert_eq!(
            message(&resp(401, v3)).1,
            "The request you have made requires authentication."
        );
        let rax = r#"{"unauthorized":{"message":"Username or api key is invalid","code":401}}"#;
        assert_eq!(
            message(&resp(401, rax)),
            (
                Some("unauthorized".into()),
                "Username or api key is invalid".into()
            )
        );
    }
}
