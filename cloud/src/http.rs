//! The HTTP client every HTTP driver shares: an endpoint override, a timeout
//! per request, and retries with exponential backoff and jitter on 429, 5xx
//! and failed connections (honouring `Retry-After`), all within the
//! caller's overall deadline when it set one ([`within`]).

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::error::DriverError;

mod retry;
pub(crate) mod session;

use retry::retry_after;
pub(crate) use retry::{limit_hit, may_wait, try_timeout};
pub use retry::{within, RetryPolicy};

/// How a driver reaches its provider.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpConfig {
    /// The API's base URL (`apiurl`); `None` means the provider's public
    /// endpoint. Links the provider returns (next pages) are re-based here.
    pub endpoint: Option<String>,
    /// Time allowed for one request, answer included.
    pub timeout: Duration,
    /// When and how often to try again.
    pub retry: RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            endpoint: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }
}

/// One answer, read in full.
#[derive(Debug)]
pub struct Response {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: bytes::Bytes,
}

impl Response {
    /// An answer made up for a unit test: `status` with `body`.
    #[cfg(test)]
    pub(crate) fn for_test(status: u16, body: &str) -> Self {
        Response {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            body: bytes::Bytes::from(body.to_owned()),
        }
    }

    /// The body as JSON of type `T`, or `DriverError::Protocol`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, DriverError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let start =
                String::from_utf8_lossy(&self.body[..self.body.len().min(120)]).into_owned();
            DriverError::Protocol(format!("{e} (answer starts {start:?})"))
        })
    }
}

/// A request body: JSON, a form, or bytes sent as they are under their
/// own `Content-Type` (the XML of older APIs).
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    /// Serialised as JSON (`application/json`).
    Json(&'a serde_json::Value),
    /// Form-encoded (`application/x-www-form-urlencoded`).
    Form(&'a [(&'a str, &'a str)]),
    /// Sent as is.
    Raw {
        /// The `Content-Type` header (`"application/xml"`).
        content_type: &'static str,
        /// The body.
        bytes: &'a [u8],
    },
}

/// A reqwest client bound to one provider endpoint.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    base: Url,
    timeout: Duration,
    retry: RetryPolicy,
}

impl fmt::Debug for HttpClient {
    // Not derived: the default headers hold the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Headers sending `token` as `Authorization: Bearer` (marked sensitive, so
/// never logged), for the providers that take a bearer token.
pub fn bearer_headers(token: &crate::Secret) -> Result<HeaderMap, DriverError> {
    let mut bearer =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose().trim()))
            .map_err(|_| {
                DriverError::BadCredentials("the token has characters HTTP cannot carry".into())
            })?;
    bearer.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, bearer);
    Ok(headers)
}

impl HttpClient {
    /// A client for `config.endpoint`, else `default_endpoint`, sending
    /// `headers` (mark credentials `set_sensitive`) with every request.
    pub fn new(
        default_endpoint: &str,
        config: &HttpConfig,
        headers: HeaderMap,
    ) -> Result<Self, DriverError> {
        let endpoint = config.endpoint.as_deref().unwrap_or(default_endpoint);
        let base = Url::parse(endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                DriverError::InvalidRequest(format!("not an http(s) endpoint: {endpoint:?}"))
            })?;
        let inner = reqwest::Client::builder()
            .user_agent(concat!("overcast/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| DriverError::Protocol(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpClient {
            inner,
            base,
            timeout: config.timeout,
            retry: config.retry,
        })
    }

    /// The endpoint in use.
    pub fn endpoint(&self) -> &Url {
        &self.base
    }

    /// `path_and_query` (starting with `/`) under the endpoint, which may
    /// itself have a path (a proxy's prefix).
    pub fn url(&self, path_and_query: &str) -> Result<Url, DriverError> {
        let base = self.base.as_str().trim_end_matches('/');
        let url = format!("{base}/{}", path_and_query.trim_start_matches('/'));
        Url::parse(&url).map_err(|e| DriverError::Protocol(format!("bad URL {url:?}: {e}")))
    }

    /// A link the provider returned (a next page), moved onto the endpoint in
    /// use: the public API names its own host even when a peer or proxy
    /// answered. Links already on the endpoint's origin are kept.
    pub fn rebase(&self, link: &str) -> Result<Url, DriverError> {
        let parsed = self
            .base
            .join(link)
            .map_err(|e| DriverError::Protocol(format!("bad link {link:?}: {e}")))?;
        if parsed.origin() == self.base.origin() {
            return Ok(parsed);
        }
        let mut rest = parsed.path().to_owned();
        if let Some(q) = parsed.query() {
            rest.push('?');
            rest.push_str(q);
        }
        self.url(&rest)
    }

    /// Sends one request with retries. Any final status comes back as a
    /// `Response` (the driver reads the provider's error body); transport
    /// failures that outlast the retries are `DriverError::Unavailable`.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, DriverError> {
        self.send_body(method, url, body.map(Body::Json)).await
    }

    /// [`send`](Self::send) with a form-encoded body
    /// (`application/x-www-form-urlencoded`), for the providers whose API
    /// takes forms; retried on the same terms.
    pub async fn send_form(
        &self,
        method: Method,
        url: Url,
        form: &[(&str, &str)],
    ) -> Result<Response, DriverError> {
        self.send_body(method, url, Some(Body::Form(form))).await
    }

    /// [`HttpClient::send`] with any [`Body`].
    pub async fn send_body(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
    ) -> Result<Response, DriverError> {
        let idempotent = method != Method::POST && method != Method::PATCH;
        self.send_payload(method, url, body, idempotent).await
    }

    /// Sends `body` as `content_type` (an XML-RPC call, say) with the same
    /// retries as [`HttpClient::send`]. `idempotent` says whether a 5xx or a
    /// timeout may be retried: a POST that only reads may be, one that
    /// creates may not.
    pub async fn send_bytes(
        &self,
        method: Method,
        url: Url,
        content_type: &'static str,
        body: &[u8],
        idempotent: bool,
    ) -> Result<Response, DriverError> {
        let payload = Body::Raw {
            content_type,
            bytes: body,
        };
        self.send_payload(method, url, Some(payload), idempotent)
            .await
    }

    async fn send_payload(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
        idempotent: bool,
    ) -> Result<Response, DriverError> {
        let mut retry = 0;
        // The first try always goes out, even under a spent deadline (the
        // caller's own limit then ends it).
        let mut timeout = try_timeout(self.timeout).unwrap_or(self.timeout);
        loop {
            let last = retry >= self.retry.max_retries;
            match self.once(method.clone(), url.clone(), body, timeout).await {
                Ok(resp) => {
                    let status = resp.status;
                    let again = status == StatusCode::TOO_MANY_REQUESTS
                        || (idempotent && status.is_server_error());
                    if !again || last {
                        return Ok(resp);
                    }
                    let wait = match retry_after(&resp.headers) {
                        Some(wait) if wait > self.retry.max_delay => return Ok(resp),
                        Some(wait) => wait,
                        None => self.retry.backoff(retry),
                    };
                    if !may_wait(wait) {
                        return Ok(resp);
                    }
                    tracing::debug!(%method, %url, %status, ?wait, retry, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    let again = e.is_connect()
                        || (idempotent && (e.is_timeout() || e.is_request() || e.is_body()));
                    let wait = self.retry.backoff(retry);
                    if !again || last || !may_wait(wait) {
                        let limit = limit_hit(self.timeout, timeout);
                        return Err(DriverError::Unavailable(describe(&e, limit)));
                    }
                    tracing::debug!(%method, %url, error = %e, ?wait, retry, "retrying");
                    tokio::time::sleep(wait).await;
                }
            }
            retry += 1;
            timeout = match try_timeout(self.timeout) {
                Some(timeout) => timeout,
                None => {
                    let limit = limit_hit(self.timeout, Duration::ZERO);
                    return Err(DriverError::Unavailable(format!(
                        "no answer within {limit:?}"
                    )));
                }
            };
        }
    }

    async fn once(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
        timeout: Duration,
    ) -> Result<Response, reqwest::Error> {
        let mut req = self.inner.request(method, url).timeout(timeout);
        match body {
            Some(Body::Json(value)) => req = req.json(value),
            Some(Body::Form(form)) => req = req.form(form),
            Some(Body::Raw {
                content_type,
                bytes,
            }) => {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec());
            }
            None => {}
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// A transport failure in words, with its innermost cause.
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {timeout:?}");
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let kind = if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_the_public_api_are_rebased_onto_the_endpoint_in_use() {
        let config = HttpConfig {
            endpoint: Some("http://127.0.0.1:9/prefix/".into()),
            ..HttpConfig::default()
        };
        let c = HttpClient::new("https://api.example.com", &config, HeaderMap::new()).unwrap();
        let next = c
            .rebase("https://api.example.com/v2/droplets?page=2")
            .unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:9/prefix/v2/droplets?page=2"
        );
        let own = c.rebase("http://127.0.0.1:9/prefix/v2/x?page=3").unwrap();
        assert_eq!(own.as_str(), "http://127.0.0.1:9/prefix/v2/x?page=3");
        assert!(HttpClient::new("ftp://x", &HttpConfig::default(), HeaderMap::new()).is_err());
    }
}
