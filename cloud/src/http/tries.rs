//! The loop every request goes through: a try, then, while the answer or
//! failure says "again" and the [`RetryPolicy`](super::RetryPolicy) and
//! the caller's deadline ([`within`](super::within)) leave room, a wait
//! and another try, each built afresh (a signature over the moment it is
//! sent, SigV4's `X-Amz-Date`, is renewed with it).

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};

use super::retry::{limit_hit, may_wait, retry_after, try_timeout};
use super::{HttpClient, Response};
use crate::error::DriverError;

/// Which answers and failures a request may be tried again after.
///
/// A 429 and a connection that never opened are always retried: the
/// provider did not act. A 5xx or a timeout is retried only for a request
/// the provider may receive twice without harm (`idempotent`): a create
/// that timed out may have created a machine already.
#[derive(Clone, Copy, Debug)]
pub struct Repeat {
    /// The provider may receive the request twice without harm (a read, a
    /// token request, a create carrying a client token).
    pub idempotent: bool,
    /// Answers the provider means as "try again" besides 429 and 5xx
    /// (EC2's throttling codes may come with a 400).
    pub also: fn(&Response) -> bool,
}

impl Repeat {
    /// A request that may land twice without harm.
    pub const IDEMPOTENT: Repeat = Repeat {
        idempotent: true,
        also: |_| false,
    };

    /// A request that must not land twice.
    pub const ONCE: Repeat = Repeat {
        idempotent: false,
        also: |_| false,
    };

    /// By the method: POST and PATCH may act twice, the others not.
    pub fn for_method(method: &Method) -> Repeat {
        if *method == Method::POST || *method == Method::PATCH {
            Repeat::ONCE
        } else {
            Repeat::IDEMPOTENT
        }
    }

    fn again(&self, resp: &Response) -> bool {
        resp.status == StatusCode::TOO_MANY_REQUESTS
            || (self.idempotent && resp.status.is_server_error())
            || (self.also)(resp)
    }

    fn again_after(&self, e: &reqwest::Error) -> bool {
        e.is_connect() || (self.idempotent && (e.is_timeout() || e.is_request() || e.is_body()))
    }
}

impl HttpClient {
    /// Sends the request `build` makes from the client (which carries the
    /// default headers) afresh for every try, with the same retries as
    /// every request of this client, on the terms of `repeat`. Any final
    /// status comes back as a `Response`; transport failures that outlast
    /// the retries are `DriverError::Unavailable`.
    pub async fn send_rebuilt(
        &self,
        repeat: Repeat,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, DriverError> {
        let mut retry = 0;
        // The first try always goes out, even under a spent deadline (the
        // caller's own limit then ends it).
        let mut timeout = try_timeout(self.timeout).unwrap_or(self.timeout);
        loop {
            let last = retry >= self.retry.max_retries;
            let request = build(&self.inner).timeout(timeout).build().map_err(|e| {
                DriverError::InvalidRequest(format!("cannot build the request: {e}"))
            })?;
            let (method, url) = (request.method().clone(), request.url().clone());
            match self.execute(request).await {
                Ok(resp) => {
                    if !repeat.again(&resp) || last {
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
                    let status = resp.status;
                    tracing::debug!(%method, %url, %status, ?wait, retry, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    let wait = self.retry.backoff(retry);
                    if !repeat.again_after(&e) || last || !may_wait(wait) {
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

    /// One try, its answer read in full.
    async fn execute(&self, request: reqwest::Request) -> Result<Response, reqwest::Error> {
        let resp = self.inner.execute(request).await?;
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
