//! Nova over HTTP: one Keystone session (token + compute endpoint) shared
//! by every call, renewed before it expires and once after a 401; pages.

use std::collections::HashSet;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::time::{Duration, Instant};

use super::catalogue;
use super::config::OpenStackConfig;
use super::errors;
use super::identity;
use crate::error::DriverError;
use crate::http::session::{Held, Renewing};
use crate::http::{HttpClient, HttpConfig, Response};

/// A token is renewed this long before Keystone says it expires.
const MARGIN: Duration = Duration::from_secs(60);

/// Pages followed at most in one listing, against a peer that never stops.
const MAX_PAGES: usize = 1000;

/// A token and the compute endpoint it opens.
#[derive(Clone, Debug)]
struct Session {
    /// Nova at the catalogue's URL, sending the token with every request.
    nova: HttpClient,
    /// The compute endpoint's region.
    region: Option<String>,
}

/// An authenticated connection to one OpenStack account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    identity: HttpClient,
    config: Arc<OpenStackConfig>,
    http: HttpConfig,
    session: Arc<Renewing<Session>>,
}

#[derive(Deserialize)]
struct Link {
    rel: Option<String>,
    href: Option<String>,
}

impl Api {
    /// A connection to `config`'s Keystone (or `http.endpoint`, when set).
    pub(crate) fn new(mut config: OpenStackConfig, http: &HttpConfig) -> Result<Self, DriverError> {
        if let Some(url) = http.endpoint.as_deref() {
            config.auth_url = url.to_owned();
        }
        identity::request_body(&config)?;
        let base = identity::base_url(&config.auth_url, config.version);
        let own = HttpConfig {
            endpoint: None,
            ..http.clone()
        };
        Ok(Api {
            identity: HttpClient::new(&base, &own, HeaderMap::new())?,
            config: Arc::new(config),
            http: own,
            session: Arc::default(),
        })
    }

    /// The session to use: the current one unless it is due for renewal or
    /// is the `stale` generation a caller saw refused.
    async fn session(&self, stale: Option<u64>) -> Result<Held<Session>, DriverError> {
        self.session.get(stale, || self.authenticate()).await
    }

    /// Asks Keystone for a new token now (a credential check).
    pub(crate) async fn renew(&self) -> Result<(), DriverError> {
        self.session.renew(|| self.authenticate()).await
    }

    /// A new token: the session and when to renew it.
    async fn authenticate(&self) -> Result<(Session, Instant), DriverError> {
        let c = &self.config;
        let url = self.identity.url(identity::token_path(c.version))?;
        let body = identity::request_body(c)?;
        let resp = self.identity.send_token_request(url, &body).await?;
        let token = identity::read_answer(&resp, c.version)?;
        let compute = catalogue::compute(
            &token.catalogue,
            c.region.as_deref(),
            c.service_name.as_deref(),
        )?;
        let mut value = HeaderValue::from_str(token.id.expose())
            .map_err(|_| DriverError::Protocol("Keystone's token is not a header value".into()))?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-auth-token", value);
        headers.insert("accept", HeaderValue::from_static("application/json"));
        let nova = HttpClient::new(&compute.url, &self.http, headers)?;
        tracing::debug!(endpoint = %nova.endpoint(), lifetime = ?token.lifetime, "OpenStack token issued");
        Ok((
            Session {
                nova,
                region: compute.region,
            },
            Instant::now() + token.lifetime.saturating_sub(MARGIN),
        ))
    }

    /// The compute endpoint's region (authenticating if need be).
    pub(crate) async fn region(&self) -> Result<Option<String>, DriverError> {
        Ok(self.session(None).await?.value.region)
    }

    /// Sends `method path` (path and query under Nova's endpoint) and
    /// returns the successful answer; a 401 renews the token and tries once
    /// more (Nova did not act on it), a second 401 is `BadCredentials`.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, DriverError> {
        let session = self.session(None).await?;
        let nova = &session.value.nova;
        let resp = nova.send(method.clone(), nova.url(path)?, body).await?;
        let resp = if resp.status == reqwest::StatusCode::UNAUTHORIZED {
            tracing::debug!(path, "Nova refused the token; renewing it once");
            let session = self.session(Some(session.generation)).await?;
            let nova = &session.value.nova;
            nova.send(method, nova.url(path)?, body).await?
        } else {
            resp
        };
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(errors::nova(&resp))
        }
    }

    /// `GET path`, the answer's `key` field as a `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<T, DriverError> {
        let resp = self.call(Method::GET, path, None).await?;
        take(&mut resp.json()?, key)
    }

    /// Every item of a paged list: the `key` array of `path` and of each
    /// `<key>_links` `next` after it. Only the link's query (`marker`,
    /// `limit`) is kept: Nova often names an internal host in it.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, DriverError> {
        let mut current = path.to_owned();
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            seen.insert(current.clone());
            let resp = self.call(Method::GET, &current, None).await?;
            let mut map: Map<String, Value> = resp.json()?;
            let mut page: Vec<T> = take(&mut map, key)?;
            let empty = page.is_empty();
            items.append(&mut page);
            let links: Vec<Link> = map
                .remove(&format!("{key}_links"))
                .and_then(|l| serde_json::from_value(l).ok())
                .unwrap_or_default();
            let next = links.into_iter().find(|l| l.rel.as_deref() == Some("next"));
            let query = next
                .and_then(|l| l.href)
                .and_then(|href| Url::parse(&href).ok()?.query().map(str::to_owned));
            let Some(query) = query else {
                return Ok(items);
            };
            let base = path.split('?').next().unwrap_or(path);
            current = format!("{base}?{query}");
            if empty || seen.contains(&current) {
                tracing::debug!(path, "Nova links a page already read; stopping");
                return Ok(items);
            }
        }
        tracing::warn!(path, "Nova listing stopped after {MAX_PAGES} pages");
        Ok(items)
    }
}

/// Removes `key` from an answer and reads it as a `T`.
pub(crate) fn take<T: DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<T, DriverError> {
    let value = map
        .remove(key)
        .ok_or_else(|| DriverError::Protocol(format!("the answer has no {key:?}")))?;
    serde_json::from_value(value).map_err(|e| DriverError::Protocol(format!("{key}: {e}")))
}

/// Server ids go into URL paths: UUIDs, integers, or a peer's own words,
/// but never `/`, `?`, `%` or spaces. Anything else names no server.
pub(crate) fn server_id(id: &str) -> Result<&str, DriverError> {
    let ok = !id.is_empty()
        && id.len() <= 255
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(id)
    } else {
        Err(DriverError::NotFound(format!("no server {id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_ids_are_checked_before_they_reach_a_url() {
        assert!(server_id("26f7fbee-8ce1-4c28-887a-bfe8e4bb10fe").is_ok());
        assert!(server_id("12064").is_ok());
        assert!(matches!(
            server_id("../flavors"),
            Err(DriverError::NotFound(_))
        ));
        assert!(server_id("..").is_err() && server_id("a b").is_err());
    }
}
