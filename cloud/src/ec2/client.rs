//! The EC2 Query API over HTTP: form-encoded POSTs signed with SigV4, XML
//! answers, `nextToken` pages, and retries.
//!
//! Retries: every call this driver makes may be repeated safely (Describe*
//! read; reboot, start, stop, terminate and tag calls are idempotent;
//! `RunInstances` carries a `ClientToken`; a repeated `ImportKeyPair` is a
//! `Duplicate` the driver reads as success), so 429, 5xx, throttling codes
//! (`RequestLimitExceeded` comes as a 503), timeouts and failed connections
//! are retried with the configured backoff. The shared `http::HttpClient`
//! is not used: it sends JSON with fixed headers, and a SigV4 request needs
//! a form body and headers signed per attempt.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, Url};
use roxmltree::Node;

use super::errors::AwsError;
use super::regions;
use super::sigv4::{self, Scope};
use super::xml::{self, text};
use crate::error::DriverError;
use crate::http::{self, HttpConfig, RetryPolicy};
use crate::secret::Secret;

/// The EC2 API version spoken (`Version=`).
pub const VERSION: &str = "2016-11-15";

/// The form content type, exactly as sent and signed.
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Pages followed at most in one listing, against a peer that never stops.
const MAX_PAGES: usize = 1000;

/// A call's parameters (besides `Action` and `Version`), in order.
pub(crate) type Params = Vec<(String, String)>;

/// A signed connection to one region of one account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    http: reqwest::Client,
    url: Url,
    host: String,
    access_key: String,
    secret: Secret,
    pub(crate) region: String,
    timeout: Duration,
    retry: RetryPolicy,
}

impl Api {
    /// A connection to `config.endpoint`, else the region's public endpoint.
    pub(crate) fn new(
        access_key: String,
        secret: Secret,
        region: &str,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let endpoint = config
            .endpoint
            .clone()
            .unwrap_or_else(|| regions::endpoint(region));
        let url = Url::parse(&endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                DriverError::InvalidRequest(format!("not an http(s) endpoint: {endpoint:?}"))
            })?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("overcast/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| DriverError::Protocol(format!("cannot build the HTTP client: {e}")))?;
        Ok(Api {
            http,
            host: sigv4::host_header(&url),
            url,
            access_key: access_key.trim().to_owned(),
            secret,
            region: region.to_owned(),
            timeout: config.timeout,
            retry: config.retry,
        })
    }

    /// The endpoint in use.
    pub(crate) fn endpoint(&self) -> &Url {
        &self.url
    }

    /// Calls `action` and returns the successful answer's body; EC2's error
    /// answers become `DriverError`s quoting its code and message.
    pub(crate) async fn call(&self, action: &str, params: &Params) -> Result<Vec<u8>, DriverError> {
        let mut body = format!("Action={}&Version={VERSION}", sigv4::uri_encode(action));
        for (k, v) in params {
            body.push('&');
            body.push_str(&sigv4::uri_encode(k));
            body.push('=');
            body.push_str(&sigv4::uri_encode(v));
        }
        let mut retry = 0;
        // Within the caller's deadline when it set one (`http::within`):
        // each try cut to the time left, no retry that would end past it.
        let mut timeout = http::try_timeout(self.timeout).unwrap_or(self.timeout);
        loop {
            let last = retry >= self.retry.max_retries;
            let wait = self.retry.backoff(retry);
            match self.once(&body, timeout).await {
                Ok((status, answer)) if status.is_success() => return Ok(answer),
                Ok((status, answer)) => {
                    let err = AwsError::read(status.as_u16(), &answer);
                    if last || !err.is_transient() || !http::may_wait(wait) {
                        return Err(err.into_driver_error());
                    }
                    tracing::debug!(action, %status, code = ?err.code, retry, "retrying");
                }
                Err(e) => {
                    if last || !http::may_wait(wait) {
                        let limit = http::limit_hit(self.timeout, timeout);
                        return Err(DriverError::Unavailable(describe(&e, limit)));
                    }
                    tracing::debug!(action, error = %e, retry, "retrying");
                }
            }
            tokio::time::sleep(wait).await;
            retry += 1;
            timeout = http::try_timeout(self.timeout).unwrap_or(self.timeout);
        }
    }

    async fn once(
        &self,
        body: &str,
        timeout: Duration,
    ) -> Result<(StatusCode, Vec<u8>), reqwest::Error> {
        let amz_date = sigv4::amz_date(SystemTime::now());
        let scope = Scope {
            access_key: &self.access_key,
            secret: &self.secret,
            region: &self.region,
            service: "ec2",
            amz_date: &amz_date,
        };
        let headers = [
            ("content-type", FORM),
            ("host", self.host.as_str()),
            ("x-amz-date", amz_date.as_str()),
        ];
        let signed = sigv4::sign(&scope, "POST", &self.url, &headers, body.as_bytes());
        let resp = self
            .http
            .post(self.url.clone())
            .timeout(timeout)
            .header(CONTENT_TYPE, FORM)
            .header("x-amz-date", &amz_date)
            .header("authorization", signed.authorization)
            .body(body.to_owned())
            .send()
            .await?;
        let status = resp.status();
        let answer = resp.bytes().await?;
        Ok((status, answer.to_vec()))
    }

    /// Calls a paginated `Describe*` action, handing each page's root
    /// element to `each`, following `nextToken` until it is absent, empty,
    /// or repeated. `max_results` is sent when given (`MaxResults` cannot be
    /// combined with some id filters).
    pub(crate) async fn pages(
        &self,
        action: &str,
        params: &Params,
        max_results: Option<u32>,
        mut each: impl FnMut(Node<'_, '_>) -> Result<(), DriverError>,
    ) -> Result<(), DriverError> {
        let mut seen = HashSet::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut page = params.clone();
            if let Some(max) = max_results {
                page.push(("MaxResults".into(), max.to_string()));
            }
            if let Some(t) = &token {
                page.push(("NextToken".into(), t.clone()));
            }
            let body = self.call(action, &page).await?;
            let doc = xml::parse(&body)?;
            each(doc.root_element())?;
            match text(doc.root_element(), "nextToken") {
                Some(next) if seen.insert(next.to_owned()) => token = Some(next.to_owned()),
                Some(_) => {
                    tracing::debug!(action, "EC2 repeated a nextToken; stopping");
                    return Ok(());
                }
                None => return Ok(()),
            }
        }
        tracing::warn!(action, "EC2 listing stopped after {MAX_PAGES} pages");
        Ok(())
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

/// `Name.1=a&Name.2=b`: EC2's list parameters.
pub(crate) fn list_param(params: &mut Params, name: &str, values: &[&str]) {
    for (n, v) in values.iter().enumerate() {
        params.push((format!("{name}.{}", n + 1), (*v).to_owned()));
    }
}
