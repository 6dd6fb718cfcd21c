//! The HTTP client every HTTP driver shares: an endpoint override, a timeout
//! per request, and retries with exponential backoff and jitter on 429, 5xx
//! and failed connections (honouring `Retry-After`), all within the
//! caller's overall deadline when it set one ([`within`]). Each try is
//! built afresh ([`HttpClient::send_rebuilt`]), so a request signed over
//! the moment it is sent (EC2's SigV4) is signed again for every retry.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::error::DriverError;

mod retry;
pub(crate) mod session;
mod tries;

pub use retry::{within, RetryPolicy};
pub use tries::Repeat;

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
        let repeat = Repeat::for_method(&method);
        self.send_with(method, url, body, repeat).await
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
        let repeat = if idempotent {
            Repeat::IDEMPOTENT
        } else {
            Repeat::ONCE
        };
        self.send_with(method, url, Some(payload), repeat).await
    }

    /// POSTs a token request (`body` as JSON), retried like a read: one
    /// that lands twice only issues a second token.
    pub async fn send_token_request(
        &self,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<Response, DriverError> {
        let body = Some(Body::Json(body));
        self.send_with(Method::POST, url, body, Repeat::IDEMPOTENT)
            .await
    }

    /// Sends one request with retries on the terms of `repeat` (a POST that
    /// may land twice without harm is [`Repeat::IDEMPOTENT`]).
    pub async fn send_with(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
        repeat: Repeat,
    ) -> Result<Response, DriverError> {
        self.send_rebuilt(repeat, |client| {
            let req = client.request(method.clone(), url.clone());
            match body {
                Some(Body::Json(value)) => req.json(value),
                Some(Body::Form(form)) => req.form(form),
                Some(Body::Raw {
                    content_type,
                    bytes,
                }) => req
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec()),
                None => req,
            }
        })
        .await
    }
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
