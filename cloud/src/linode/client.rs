//! Linode API v4 over HTTP: the bearer token, error bodies, numbered pages.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::DriverError;
use crate::http::{bearer_headers, HttpClient, HttpConfig, Response};
use crate::secret::Secret;

/// Linode's public endpoint; paths name the API version (`/v4/...`), so an
/// `apiurl` override is a host (and optional prefix), as for DigitalOcean.
pub const ENDPOINT: &str = "https://api.linode.com";

/// Items per page asked for (Linode's maximum).
const PAGE_SIZE: u32 = 500;

/// Pages read at most in one listing (500,000 items), against a peer that
/// claims endless pages.
const MAX_PAGES: u64 = 1000;

/// An authenticated connection to one Linode account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    http: HttpClient,
}

/// Linode's error body: `{"errors": [{"reason": "...", "field": "..."}]}`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    reason: Option<String>,
    field: Option<String>,
}

/// One page of a list: `{"data": [...], "page": n, "pages": m}`.
#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
    page: Option<u64>,
    pages: Option<u64>,
}

impl Api {
    /// A connection sending `token` as `Authorization: Bearer`.
    pub(crate) fn new(token: &Secret, config: &HttpConfig) -> Result<Self, DriverError> {
        Ok(Api {
            http: HttpClient::new(ENDPOINT, config, bearer_headers(token)?)?,
        })
    }

    /// Sends a request to `path` and returns the successful answer; error
    /// statuses become `DriverError`s quoting Linode's reasons. The body is
    /// never logged (a create's carries the root password).
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, DriverError> {
        let url = self.http.url(path)?;
        let resp = self.http.send(method, url, body).await?;
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(error(&resp))
        }
    }

    /// `method path` with `body`, the answer read as a `T`.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, DriverError> {
        self.call(method, path, body).await?.json()
    }

    /// Every item of a paged list: pages 1 to `pages` of `path`, stopping
    /// early at an empty page or one that is not the page asked for.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, DriverError> {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let url = format!("{path}?page={page}&page_size={PAGE_SIZE}");
            let mut answer: Page<T> = self.json(Method::GET, &url, None).await?;
            let empty = answer.data.is_empty();
            items.append(&mut answer.data);
            let pages = answer.pages.unwrap_or(1);
            let wrong = answer.page.is_some_and(|p| p != page);
            if page >= pages || empty || wrong {
                return Ok(items);
            }
            if page >= MAX_PAGES {
                tracing::warn!(path, "Linode listing stopped after {MAX_PAGES} pages");
                return Ok(items);
            }
            page += 1;
        }
    }
}

/// The error for a final non-2xx answer: Linode's reasons (each with its
/// field, when it names one), joined; limit refusals told apart as quotas.
pub(crate) fn error(resp: &Response) -> DriverError {
    let status = resp.status.as_u16();
    let reasons: Vec<String> = serde_json::from_slice::<ErrorBody>(&resp.body)
        .map(|b| b.errors)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            let reason = e.reason.filter(|r| !r.trim().is_empty())?;
            Some(match e.field.filter(|f| !f.trim().is_empty()) {
                Some(field) => format!("{field}: {reason}"),
                None => reason,
            })
        })
        .collect();
    let message = if reasons.is_empty() {
        let reason = resp.status.canonical_reason().unwrap_or("error");
        format!("HTTP {status} {reason}")
    } else {
        crate::error::excerpt(&reasons.join("; "))
    };
    let lower = message.to_lowercase();
    let quota = lower.contains("limit") && (lower.contains("exceed") || lower.contains("reach"));
    match status {
        400 | 403 if quota => DriverError::Quota(message),
        _ => DriverError::from_status(status, message),
    }
}

/// Linode ids are integers: anything else names no Linode, and is refused
/// before it reaches a URL.
pub(crate) fn linode_id(id: &str) -> Result<&str, DriverError> {
    if crate::error::is_numeric_id(id) {
        Ok(id)
    } else {
        Err(DriverError::NotFound(format!("no Linode {id:?}")))
    }
}

/// A tag Linode accepts: 3 to 50 characters.
pub(crate) fn check_tag(tag: &str) -> Result<&str, DriverError> {
    let len = tag.chars().count();
    if (3..=50).contains(&len) && !tag.chars().any(char::is_control) {
        Ok(tag)
    } else {
        Err(DriverError::InvalidRequest(format!(
            "tag {tag:?}: Linode tags are 3 to 50 characters"
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
    fn errors_quote_linode_reasons_with_their_field() {
        let body = r#"{"errors":[{"reason":"Invalid Token"}]}"#;
        assert_eq!(
            error(&resp(401, body)),
            DriverError::BadCredentials("Invalid Token".into())
        );
        let body = r#"{"errors":[{"field":"region","reason":"region is not valid"},{"reason":"and this"}]}"#;
        assert_eq!(
            error(&resp(400, body)),
            DriverError::InvalidRequest("region: region is not valid; and this".into())
        );
        assert_eq!(
            error(&resp(404, "")),
            DriverError::NotFound("HTTP 404 Not Found".into())
        );
        let body = r#"{"errors":[{"reason":"Account limit reached"}]}"#;
        assert!(matches!(error(&resp(400, body)), DriverError::Quota(_)));
        assert!(error(&resp(502, "")).is_transient());
    }

    #[test]
    fn ids_and_tags_are_checked_before_they_are_sent() {
        assert!(linode_id("22344420").is_ok());
        assert!(matches!(
            linode_id("../profile"),
            Err(DriverError::NotFound(_))
        ));
        assert!(check_tag("overcast").is_ok());
        assert!(check_tag("ab").is_err());
    }
}
