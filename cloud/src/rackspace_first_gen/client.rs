//! Rackspace's v1.1 authentication (`POST /v1.1/auth` with a user name
//! and API key) and Cloud Servers v1.0 calls under the token it issues:
//! one session shared by every call, renewed before it expires and once
//! after a 401.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, DATE};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use tokio::time::{Duration, Instant};

use super::xml;
use crate::error::DriverError;
use crate::http::session::{Held, Renewing};
use crate::http::{Body, HttpClient, HttpConfig, Response};
use crate::openstack::time::lifetime;
use crate::secret::Secret;

/// A token is renewed this long before the identity service says it expires.
const MARGIN: Duration = Duration::from_secs(60);

/// The path tokens are requested at, under the auth URL.
pub(crate) const AUTH_PATH: &str = "/v1.1/auth";

/// A token and the Cloud Servers endpoint it opens.
#[derive(Clone, Debug)]
struct Session {
    /// Cloud Servers at the catalogue's URL, sending the token.
    servers: HttpClient,
}

/// An authenticated connection to one first-generation account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    identity: HttpClient,
    username: String,
    api_key: Secret,
    http: HttpConfig,
    session: Arc<Renewing<Session>>,
}

#[derive(Deserialize)]
struct Answer {
    auth: Auth,
}

#[derive(Deserialize)]
struct Auth {
    token: Token,
    #[serde(default, rename = "serviceCatalog")]
    catalogue: Catalogue,
}

#[derive(Deserialize)]
struct Token {
    id: String,
    expires: Option<String>,
}

#[derive(Default, Deserialize)]
struct Catalogue {
    #[serde(default, rename = "cloudServers")]
    cloud_servers: Vec<Endpoint>,
}

#[derive(Deserialize)]
struct Endpoint {
    #[serde(rename = "publicURL")]
    public_url: Option<String>,
    #[serde(default, rename = "v1Default")]
    default: bool,
}

/// The auth URL without the token path (`https://auth.api.rackspacecloud.com`),
/// however it was written (`.../v1.1`, `.../v1.1/auth`).
pub(crate) fn auth_base(url: &str) -> &str {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix("/auth").unwrap_or(url);
    url.strip_suffix("/v1.1").unwrap_or(url)
}

impl Api {
    /// A connection authenticating at `auth_url` as `username`.
    pub(crate) fn new(
        auth_url: &str,
        username: &str,
        api_key: Secret,
        http: &HttpConfig,
    ) -> Result<Self, DriverError> {
        if username.trim().is_empty() || api_key.expose().trim().is_empty() {
            return Err(DriverError::InvalidRequest(
                "Rackspace needs the user name and the API key".into(),
            ));
        }
        let own = HttpConfig {
            endpoint: None,
            ..http.clone()
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Ok(Api {
            identity: HttpClient::new(auth_base(auth_url), &own, headers)?,
            username: username.trim().to_owned(),
            api_key,
            http: own,
            session: Arc::default(),
        })
    }

    /// The session to use: the current one unless it is due for renewal or
    /// is the `stale` generation a caller saw refused.
    async fn session(&self, stale: Option<u64>) -> Result<Held<Session>, DriverError> {
        self.session.get(stale, || self.authenticate()).await
    }

    /// Asks for a new token now (a credential check).
    pub(crate) async fn renew(&self) -> Result<(), DriverError> {
        self.session.renew(|| self.authenticate()).await
    }

    /// A new token: the session and when to renew it.
    async fn authenticate(&self) -> Result<(Session, Instant), DriverError> {
        let url = self.identity.url(AUTH_PATH)?;
        let body = json!({ "credentials": {
            "username": self.username, "key": self.api_key.expose() } });
        let resp = self.identity.send_token_request(url, &body).await?;
        if !resp.status.is_success() {
            let (_, text, _) = xml::fault(&resp);
            return Err(match resp.status.as_u16() {
                401 | 403 => DriverError::BadCredentials(text),
                404 | 405 => DriverError::InvalidRequest(format!(
                    "no Rackspace v1.1 authentication at this URL ({text})"
                )),
                status => DriverError::from_status(status, text),
            });
        }
        let date = resp.headers.get(DATE).and_then(|d| d.to_str().ok());
        let auth = resp.json::<Answer>()?.auth;
        let endpoints = auth.catalogue.cloud_servers;
        let url = endpoints
            .iter()
            .filter(|e| e.default)
            .chain(&endpoints)
            .find_map(|e| e.public_url.as_deref().filter(|u| !u.trim().is_empty()))
            .ok_or_else(|| {
                DriverError::Protocol(
                    "the service catalogue has no cloudServers endpoint (is the account \
                     first generation?)"
                        .into(),
                )
            })?;
        let mut token = HeaderValue::from_str(auth.token.id.trim())
            .map_err(|_| DriverError::Protocol("the token is not a header value".into()))?;
        token.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-auth-token", token);
        headers.insert(ACCEPT, HeaderValue::from_static("application/xml"));
        let servers = HttpClient::new(url, &self.http, headers)?;
        let life = lifetime(auth.token.expires.as_deref(), None, date);
        tracing::debug!(endpoint = %servers.endpoint(), lifetime = ?life, "Rackspace token issued");
        Ok((
            Session { servers },
            Instant::now() + life.saturating_sub(MARGIN),
        ))
    }

    /// Sends `method path` under the Cloud Servers endpoint (an XML `body`
    /// if given) and returns the successful answer; a 401 renews the token
    /// and tries once more, a second 401 is `BadCredentials`.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<Response, DriverError> {
        let body = body.map(|b| Body::Raw {
            content_type: "application/xml; charset=UTF-8",
            bytes: b.as_bytes(),
        });
        let session = self.session(None).await?;
        let servers = &session.value.servers;
        let mut resp = servers
            .send_body(method.clone(), servers.url(path)?, body)
            .await?;
        if resp.status == StatusCode::UNAUTHORIZED {
            tracing::debug!(path, "Cloud Servers refused the token; renewing it once");
            let session = self.session(Some(session.generation)).await?;
            let servers = &session.value.servers;
            resp = servers.send_body(method, servers.url(path)?, body).await?;
        }
        if resp.status.is_success() {
            Ok(resp)
        } else {
            Err(error(&resp))
        }
    }
}

/// The error for a final non-2xx answer from Cloud Servers. A 413
/// `overLimit` is a rate limit when it names a `retryAfter` (or says
/// "rate"), else a quota.
pub(crate) fn error(resp: &Response) -> DriverError {
    let (name, text, retry_after) = xml::fault(resp);
    let lower = text.to_lowercase();
    match resp.status.as_u16() {
        413 if retry_after || lower.contains("rate") => {
            DriverError::Unavailable(format!("rate limited: {text}"))
        }
        413 if name.as_deref() == Some("overLimit") || lower.contains("limit") => {
            DriverError::Quota(text)
        }
        413 => DriverError::InvalidRequest(text),
        status => DriverError::from_status(status, text),
    }
}

/// Server ids go into URL paths: first generation ids are integers, but
/// any word of letters, digits, `-`, `_` and `.` is passed on. Anything
/// else names no server.
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
    fn the_auth_url_is_found_however_it_is_written() {
        let base = "https://auth.api.rackspacecloud.com";
        for url in [
            base,
            "https://auth.api.rackspacecloud.com/v1.1/",
            &format!("{base}/v1.1/auth"),
        ] {
            assert_eq!(auth_base(url), base);
        }
    }

    #[test]
    fn server_ids_are_checked_before_they_reach_a_url() {
        assert!(server_id("72258").is_ok());
        assert!(server_id("../flavors").is_err() && server_id("..").is_err());
    }
}
