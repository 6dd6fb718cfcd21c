//! The EC2 Query API over HTTP: form-encoded POSTs signed with SigV4, XML
//! answers, `nextToken` pages, and retries.
//!
//! Retries: every call this driver makes may be repeated safely (Describe*
//! read; reboot, start, stop, terminate and tag calls are idempotent;
//! `RunInstances` carries a `ClientToken`; a repeated `ImportKeyPair` is a
//! `Duplicate` the driver reads as success), so 429, 5xx, throttling codes
//! (`RequestLimitExceeded` comes as a 503, `Throttling` may come as a 400),
//! timeouts and failed connections are retried by the shared client
//! (`http::HttpClient::send_rebuilt`), which signs each try anew: a SigV4
//! signature covers the moment it was made.

use std::collections::HashSet;
use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{RequestBuilder, Url};
use roxmltree::Node;

use super::errors::AwsError;
use super::regions;
use super::sigv4::{self, Scope};
use super::xml::{self, text};
use crate::error::DriverError;
use crate::http::{HttpClient, HttpConfig, Repeat, Response};
use crate::secret::Secret;

/// The EC2 API version spoken (`Version=`).
pub const VERSION: &str = "2016-11-15";

/// The form content type, exactly as sent and signed.
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// Pages followed at most in one listing, against a peer that never stops.
const MAX_PAGES: usize = 1000;

/// A call's parameters (besides `Action` and `Version`), in order.
pub(crate) type Params = Vec<(String, String)>;

/// Every call may land twice (see above); EC2's throttling and
/// provider-side codes are retried whatever their status.
const REPEAT: Repeat = Repeat {
    idempotent: true,
    also: |resp| AwsError::read(resp.status.as_u16(), &resp.body).is_transient(),
};

/// A signed connection to one region of one account.
#[derive(Clone, Debug)]
pub(crate) struct Api {
    http: HttpClient,
    host: String,
    access_key: String,
    secret: Secret,
    pub(crate) region: String,
}

impl Api {
    /// A connection to `config.endpoint`, else the region's public endpoint.
    pub(crate) fn new(
        access_key: String,
        secret: Secret,
        region: &str,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let http = HttpClient::new(&regions::endpoint(region), config, HeaderMap::new())?;
        Ok(Api {
            host: sigv4::host_header(http.endpoint()),
            http,
            access_key: access_key.trim().to_owned(),
            secret,
            region: region.to_owned(),
        })
    }

    /// The endpoint in use.
    pub(crate) fn endpoint(&self) -> &Url {
        self.http.endpoint()
    }

    /// Calls `action` and returns the successful answer's body; EC2's error
    /// answers become `DriverError`s quoting its code and message.
    pub(crate) async fn call(&self, action: &str, params: &Params) -> Result<Bytes, DriverError> {
        let mut body = format!("Action={}&Version={VERSION}", sigv4::uri_encode(action));
        for (k, v) in params {
            body.push('&');
            body.push_str(&sigv4::uri_encode(k));
            body.push('=');
            body.push_str(&sigv4::uri_encode(v));
        }
        let resp: Response = self
            .http
            .send_rebuilt(REPEAT, |client| self.signed(client, &body))
            .await?;
        if resp.status.is_success() {
            Ok(resp.body)
        } else {
            Err(AwsError::read(resp.status.as_u16(), &resp.body).into_driver_error())
        }
    }

    /// The POST of `body`, signed now.
    fn signed(&self, client: &reqwest::Client, body: &str) -> RequestBuilder {
        let url = self.http.endpoint();
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
        let signed = sigv4::sign(&scope, "POST", url, &headers, body.as_bytes());
        client
            .post(url.clone())
            .header(CONTENT_TYPE, FORM)
            .header("x-amz-date", &amz_date)
            .header("authorization", signed.authorization)
            .body(body.to_owned())
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

/// `Name.1=a&Name.2=b`: EC2's list parameters.
pub(crate) fn list_param(params: &mut Params, name: &str, values: &[&str]) {
    for (n, v) in values.iter().enumerate() {
        params.push((format!("{name}.{}", n + 1), (*v).to_owned()));
    }
}
