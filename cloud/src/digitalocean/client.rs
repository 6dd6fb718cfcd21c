//! DigitalOcean API v2 over HTTP: the bearer token, error bodies, pages.

use std::collections::HashSet;

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::DriverError;
use crate::http::{bearer_headers, HttpClient, HttpConfig, Response};
use crate::secret::Secret;

/// DigitalOcean's public endpoint.
pub const ENDPOINT: &str = "https://api.digitalocean.com";

/// Items per page asked for (DigitalOcean's maximum).
const PER_PAGE: u32 = 200;

/// Pages followed at most in one listing (200,000 items), against a peer
/// that never stops linking.
const MAX_PAGES: usize = 1000;

/// An authenticated connection to one DigitalOcean account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    http: HttpClient,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: Option<String>,
}

#[derive(Default, Deserialize)]
struct Links {
    pages: Option<Pages>,
}

#[derive(Default, Deserialize)]
struct Pages {
    next: Option<String>,
}

impl Api {
    /// A connection sending `token` as `Authorization: Bearer`.
    pub(crate) fn new(token: &Secret, config: &HttpConfig) -> Result<Self, DriverError> {
        Ok(Api {
            http: HttpClient::new(ENDPOINT, config, bearer_headers(token)?)?,
        })
    }

    /// Sends a request to `path` and returns the successful answer; error
    /// statuses become `DriverError`s quoting DigitalOcean's message.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, DriverError> {
        let url = self.http.url(path)?;
        self.call_url(method, url, body).await
    }

    async fn call_url(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Response, DriverError> {
        let resp = self.http.send(method, url, body).await?;
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(error(&resp))
        }
    }

    /// `GET path`, the answer's `key` field as a `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<T, DriverError> {
        let resp = self.call(Method::GET, path, None).await?;
        field(&resp, key)
    }

    /// `POST path` with `body`, the answer's `key` field as a `T`.
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        key: &str,
    ) -> Result<T, DriverError> {
        let resp = self.call(Method::POST, path, Some(body)).await?;
        field(&resp, key)
    }

    /// Every item of a paged list: the `key` array of `path` and of each
    /// `links.pages.next` after it (re-based onto our endpoint), a page
    /// already seen ending the walk.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, DriverError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = self.http.url(&format!("{path}{sep}per_page={PER_PAGE}"))?;
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            seen.insert(url.clone());
            let resp = self.call_url(Method::GET, url, None).await?;
            let mut map = object(&resp)?;
            let mut page: Vec<T> = take(&mut map, key)?;
            let empty = page.is_empty();
            items.append(&mut page);
            let links: Links = map
                .remove("links")
                .and_then(|l| serde_json::from_value(l).ok())
                .unwrap_or_default();
            let Some(next) = links.pages.and_then(|p| p.next) else {
                return Ok(items);
            };
            url = self.http.rebase(&next)?;
            if empty || seen.contains(&url) {
                tracing::debug!(%url, "DigitalOcean links a page already read; stopping");
                return Ok(items);
            }
        }
        tracing::warn!(path, "DigitalOcean listing stopped after {MAX_PAGES} pages");
        Ok(items)
    }
}

/// The `key` field of a JSON answer.
fn field<T: DeserializeOwned>(resp: &Response, key: &str) -> Result<T, DriverError> {
    take(&mut object(resp)?, key)
}

/// A JSON object answer.
fn object(resp: &Response) -> Result<Map<String, Value>, DriverError> {
    resp.json()
}

/// Removes `key` from an answer and reads it as a `T`.
fn take<T: DeserializeOwned>(map: &mut Map<String, Value>, key: &str) -> Result<T, DriverError> {
    let value = map
        .remove(key)
        .ok_or_else(|| DriverError::Protocol(format!("the answer has no {key:?}")))?;
    serde_json::from_value(value).map_err(|e| DriverError::Protocol(format!("{key}: {e}")))
}

/// The error for a final non-2xx answer: DigitalOcean's `{"id", "message"}`
/// body, its quota refusals told apart from other 403/422s.
pub(crate) fn error(resp: &Response) -> DriverError {
    let status = resp.status.as_u16();
    let message = serde_json::from_slice::<ErrorBody>(&resp.body)
        .ok()
        .and_then(|b| b.message)
        .filter(|m| !m.trim().is_empty())
        .map(|m| crate::error::excerpt(&m))
        .unwrap_or_else(|| {
            let reason = resp.status.canonical_reason().unwrap_or("error");
            format!("HTTP {status} {reason}")
        });
    let lower = message.to_lowercase();
    let quota = lower.contains("quota")
        || (lower.contains("limit") && (lower.contains("exceed") || lower.contains("reach")));
    match status {
        403 | 422 if quota => DriverError::Quota(message),
        _ => DriverError::from_status(status, message),
    }
}

/// Droplet ids are integers: anything else names no droplet, and is
/// refused before it reaches a URL.
pub(crate) fn droplet_id(id: &str) -> Result<&str, DriverError> {
    if crate::error::is_numeric_id(id) {
        Ok(id)
    } else {
        Err(DriverError::NotFound(format!("no droplet {id:?}")))
    }
}

/// A tag name DigitalOcean accepts: letters, digits, `:`, `-`, `_`, at most
/// 255 (checked here because the name goes into a URL path).
pub(crate) fn check_tag(tag: &str) -> Result<&str, DriverError> {
    let ok = !tag.is_empty()
        && tag.len() <= 255
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-:".contains(&b));
    if ok {
        Ok(tag)
    } else {
        Err(DriverError::InvalidRequest(format!(
            "tag {tag:?}: DigitalOcean tags are letters, digits, ':', '-' and '_' (at most 255)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tags_are_checked_before_they_reach_a_url() {
        assert!(droplet_id("3164444").is_ok());
        assert!(matches!(
            droplet_id("../account"),
            Err(DriverError::NotFound(_))
        ));
        assert!(check_tag("env:prod").is_ok());
        assert!(check_tag("a/b").is_err());
    }
}
