//! NephoScale's API over HTTP: Basic authentication, the `{"success",
//! "response", "message", "data"}` envelope every answer comes in, error
//! bodies, form-encoded requests.

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::DriverError;
use crate::http::{HttpClient, HttpConfig, Response};
use crate::secret::Secret;

/// NephoScale's public endpoint; an `apiurl` override replaces it (paths
/// such as `/server/cloud/` are added to it).
pub const ENDPOINT: &str = "https://api.nephoscale.com";

/// An authenticated connection to one NephoScale account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    http: HttpClient,
}

/// The envelope of every answer, successful or not.
#[derive(Deserialize)]
struct Envelope<T> {
    success: Option<bool>,
    /// The status NephoScale means (it may differ from the HTTP status).
    response: Option<u16>,
    message: Option<String>,
    total_count: Option<u64>,
    data: Option<T>,
}

/// A list's items and the count NephoScale says the account has.
pub(crate) struct Listed<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: Option<u64>,
}

/// What an accepted create (machine or key) answers in `data`: the new
/// resource's or job's id.
#[derive(Deserialize)]
pub(crate) struct Created {
    pub(crate) id: u64,
    pub(crate) resource_type: Option<String>,
}

/// `Authorization: Basic base64(username:password)`, marked sensitive.
fn basic_headers(username: &str, password: &Secret) -> Result<HeaderMap, DriverError> {
    if username.contains(':') {
        return Err(DriverError::BadCredentials(
            "a NephoScale username cannot contain ':'".into(),
        ));
    }
    let pair = format!("{}:{}", username.trim(), password.expose());
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| DriverError::BadCredentials("unusable credentials".into()))?;
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, value);
    Ok(headers)
}

impl Api {
    /// A connection sending `username:password` with HTTP Basic.
    pub(crate) fn new(
        username: &str,
        password: &Secret,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let headers = basic_headers(username, password)?;
        Ok(Api {
            http: HttpClient::new(ENDPOINT, config, headers)?,
        })
    }

    /// `method path` (with `form` as the body, when given); a non-2xx
    /// answer, or a 2xx whose envelope says `"success": false`, is a
    /// `DriverError` quoting NephoScale's message.
    async fn call(
        &self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Result<Response, DriverError> {
        let url = self.http.url(path)?;
        let resp = match form {
            Some(form) => self.http.send_form(method, url, form).await?,
            None => self.http.send(method, url, None).await?,
        };
        if !resp.status.is_success() {
            return Err(error(&resp));
        }
        let refused = serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(&resp.body)
            .is_ok_and(|e| e.success == Some(false));
        if refused {
            return Err(error(&resp));
        }
        Ok(resp)
    }

    /// Every item of the list at `path`. NephoScale answers a list whole
    /// (Libcloud asked for no pages either); when `total_count` says the
    /// account has more than came back, a warning is logged.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, DriverError> {
        let listed: Listed<T> = self.list_counted(path).await?;
        if let Some(total) = listed.total.filter(|t| *t > listed.items.len() as u64) {
            tracing::warn!(
                path,
                total,
                got = listed.items.len(),
                "NephoScale listed fewer items than it counts"
            );
        }
        Ok(listed.items)
    }

    async fn list_counted<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Listed<T>, DriverError> {
        let resp = self.call(Method::GET, path, None).await?;
        let envelope: Envelope<Vec<T>> = resp.json()?;
        let items = envelope.data.ok_or_else(|| {
            DriverError::Protocol(format!("NephoScale's answer to {path} has no data"))
        })?;
        Ok(Listed {
            items,
            total: envelope.total_count,
        })
    }

    /// A `POST` of `form` to `path`; the id in the answer's `data`.
    pub(crate) async fn create(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Created, DriverError> {
        let resp = self.call(Method::POST, path, Some(form)).await?;
        let envelope: Envelope<Created> = resp.json()?;
        envelope.data.ok_or_else(|| {
            DriverError::Protocol(format!("NephoScale's answer to {path} names no id"))
        })
    }

    /// `method path` without a body, the answer's content ignored (a job).
    pub(crate) async fn act(&self, method: Method, path: &str) -> Result<(), DriverError> {
        let resp = self.call(method, path, None).await?;
        // A body that is not JSON at all is still worth reporting.
        if !resp.body.is_empty() {
            let _: serde_json::Value = resp.json()?;
        }
        Ok(())
    }
}

/// The error for a refused answer: NephoScale's `message`, the status it
/// means (`response`, else the HTTP status) mapped as usual, a refusal that
/// names a limit told apart as a quota.
pub(crate) fn error(resp: &Response) -> DriverError {
    let envelope = serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(&resp.body).ok();
    let http = resp.status.as_u16();
    // A 2xx whose envelope says `"success": false`: the status it means,
    // else a refused request.
    let status = if resp.status.is_success() {
        let meant = envelope.as_ref().and_then(|e| e.response);
        meant.filter(|r| (400..=599).contains(r)).unwrap_or(400)
    } else {
        http
    };
    let message = envelope
        .and_then(|e| e.message)
        .filter(|m| !m.trim().is_empty())
        .map(|m| crate::error::excerpt(&m))
        .unwrap_or_else(|| {
            let code = reqwest::StatusCode::from_u16(status).ok();
            let reason = code.and_then(|c| c.canonical_reason()).unwrap_or("error");
            format!("HTTP {status} {reason}")
        });
    let lower = message.to_lowercase();
    let quota = lower.contains("limit") && (lower.contains("exceed") || lower.contains("reach"));
    match status {
        400 | 403 if quota => DriverError::Quota(message),
        _ => DriverError::from_status(status, message),
    }
}

/// NephoScale ids are integers: anything else names no server, and is
/// refused before it reaches a URL.
pub(crate) fn server_id(id: &str) -> Result<&str, DriverError> {
    if crate::error::is_numeric_id(id) {
        Ok(id)
    } else {
        Err(DriverError::NotFound(format!(
            "no NephoScale server {id:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response::for_test(status, body)
    }

    #[test]
    fn errors_quote_nephoscale_messages() {
        let body = r#"{"success":false,"response":401,"message":"Invalid credentials"}"#;
        assert_eq!(
            error(&resp(401, body)),
            DriverError::BadCredentials("Invalid credentials".into())
        );
        let body = r#"{"success":false,"response":404,"message":"No such server"}"#;
        assert_eq!(
            error(&resp(200, body)),
            DriverError::NotFound("No such server".into())
        );
        let body = r#"{"success":false,"message":"bad zone"}"#;
        assert_eq!(
            error(&resp(200, body)),
            DriverError::InvalidRequest("bad zone".into())
        );
        assert_eq!(
            error(&resp(404, "")),
            DriverError::NotFound("HTTP 404 Not Found".into())
        );
        let body = r#"{"success":false,"message":"Server limit reached"}"#;
        assert!(matches!(error(&resp(400, body)), DriverError::Quota(_)));
        assert!(error(&resp(503, "")).is_transient());
    }

    #[test]
    fn credentials_go_in_a_sensitive_basic_header() {
        let h = basic_headers("user", &Secret::new("password")).unwrap();
        let v = h.get(AUTHORIZATION).unwrap();
        assert!(v.is_sensitive());
        assert_eq!(v.to_str().unwrap(), "Basic dXNlcjpwYXNzd29yZA==");
        assert!(basic_headers("a:b", &Secret::new("p")).is_err());
    }

    #[test]
    fn ids_are_checked_before_they_are_sent() {
        assert!(server_id("88241").is_ok());
        assert!(server_id("../key").is_err());
        assert!(server_id("").is_err());
    }
}
