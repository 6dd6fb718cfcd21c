//! SoftLayer's XML-RPC API over HTTP: one endpoint per service
//! (`<endpoint>/<Service>`), the `authenticate` header struct, init
//! parameters (the object's id) and object masks, and faults mapped to
//! `DriverError`s.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use super::xmlrpc::{self, Answer, Rpc};
use crate::error::{excerpt, DriverError};
use crate::http::{HttpClient, HttpConfig, Response};
use crate::secret::Secret;

/// SoftLayer's public XML-RPC endpoint; a service's name is appended
/// (`.../xmlrpc/v3/SoftLayer_Account`), so an `apiurl` override is the
/// endpoint up to `v3` (the private network's
/// `http://api.service.softlayer.com/xmlrpc/v3`, or a test peer).
pub const ENDPOINT: &str = "https://api.softlayer.com/xmlrpc/v3";

const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// One call: the object it is made on, the object mask, the parameters
/// after the headers, and whether it may be sent twice.
#[derive(Debug, Default)]
pub(crate) struct Call<'a> {
    /// `<Service>InitParameters.id`: the object the method runs on.
    pub(crate) id: Option<i64>,
    /// `<Service>ObjectMask.mask`, a string mask (`mask[id,hostname]`).
    pub(crate) mask: Option<&'a str>,
    /// The method's own parameters.
    pub(crate) params: Vec<Rpc>,
    /// Whether a 5xx or a timeout may be retried (reads, power calls).
    pub(crate) idempotent: bool,
}

impl<'a> Call<'a> {
    /// A read: no parameters, retried on 5xx.
    pub(crate) fn read() -> Self {
        Call {
            idempotent: true,
            ..Call::default()
        }
    }

    /// A read with an object mask.
    pub(crate) fn masked(mask: &'a str) -> Self {
        Call {
            mask: Some(mask),
            ..Call::read()
        }
    }
}

/// An authenticated connection to one SoftLayer account.
#[derive(Clone)]
pub(crate) struct Api {
    http: HttpClient,
    username: String,
    api_key: Secret,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("http", &self.http)
            .field("username", &self.username)
            .field("api_key", &self.api_key)
            .finish()
    }
}

impl Api {
    /// A connection authenticating as `username` with `api_key` (sent in
    /// every call's `authenticate` header, never logged).
    pub(crate) fn new(
        username: &str,
        api_key: Secret,
        config: &HttpConfig,
    ) -> Result<Self, DriverError> {
        let username = username.trim();
        if username.is_empty() {
            return Err(DriverError::BadCredentials(
                "a SoftLayer username is required with the API key".into(),
            ));
        }
        Ok(Api {
            http: HttpClient::new(ENDPOINT, config, HeaderMap::new())?,
            username: username.to_owned(),
            api_key: Secret::new(api_key.expose().trim()),
        })
    }

    /// Calls `service.method` and returns the answer's value; faults and
    /// error statuses become `DriverError`s quoting SoftLayer's message.
    pub(crate) async fn call(
        &self,
        service: &str,
        method: &str,
        call: Call<'_>,
    ) -> Result<Value, DriverError> {
        let mut headers = vec![(
            "authenticate".to_owned(),
            Rpc::fields([
                ("username", Rpc::str(&self.username)),
                ("apiKey", Rpc::str(self.api_key.expose())),
            ]),
        )];
        if let Some(id) = call.id {
            let init = Rpc::fields([("id", Rpc::Int(id))]);
            headers.push((format!("{service}InitParameters"), init));
        }
        if let Some(mask) = call.mask {
            let mask = Rpc::fields([("mask", Rpc::str(mask))]);
            headers.push((format!("{service}ObjectMask"), mask));
        }
        let mut params = vec![Rpc::fields([("headers", Rpc::Struct(headers))])];
        params.extend(call.params);
        let body = xmlrpc::method_call(method, &params)?;
        let url = self.http.url(&format!("/{service}"))?;
        tracing::debug!(service, method, id = ?call.id, "SoftLayer call");
        let resp = self
            .http
            .send_bytes(
                Method::POST,
                url,
                CONTENT_TYPE,
                body.as_bytes(),
                call.idempotent,
            )
            .await?;
        answer(&resp)
    }
}

/// The value of a final answer, or the error it says.
pub(crate) fn answer(resp: &Response) -> Result<Value, DriverError> {
    let status = resp.status.as_u16();
    match xmlrpc::read(&resp.body) {
        Ok(Answer::Fault { code, message }) => Err(fault(&code, &message)),
        Ok(Answer::Value(value)) if resp.status.is_success() => Ok(value),
        Ok(Answer::Value(_)) => Err(DriverError::from_status(status, reason(resp))),
        Err(e) if resp.status.is_success() => Err(e),
        Err(_) => Err(DriverError::from_status(status, reason(resp))),
    }
}

/// The status's reason (`Internal Server Error`), for an error status
/// without a fault.
fn reason(resp: &Response) -> String {
    match resp.status.canonical_reason() {
        Some(reason) => reason.to_owned(),
        None => format!("HTTP {}", resp.status.as_u16()),
    }
}

/// A fault as a `DriverError`: refused credentials (SoftLayer's
/// `SoftLayer_Exception_InvalidLegacyToken` "Invalid API token.", and the
/// `SoftLayer_Account` code Libcloud's recordings use for them), missing
/// objects, limits; anything else is a refused request quoting the code.
pub(crate) fn fault(code: &str, message: &str) -> DriverError {
    let (code, message) = (excerpt(code), excerpt(message));
    let (code, message) = (code.as_str(), message.as_str());
    let lower = message.to_lowercase();
    let message = if message.is_empty() { code } else { message };
    let credentials = matches!(
        code,
        "SoftLayer_Exception_InvalidLegacyToken"
            | "SoftLayer_Exception_InvalidCredentials"
            | "SoftLayer_Exception_AccountLocked"
            | "SoftLayer_Account"
    ) || lower.contains("invalid api token")
        || lower.contains("api key")
        || lower.contains("invalid credentials");
    if credentials {
        return DriverError::BadCredentials(message.to_owned());
    }
    if code.contains("ObjectNotFound") || code.ends_with("_NotFound") {
        return DriverError::NotFound(message.to_owned());
    }
    let limit = lower.contains("limit") && (lower.contains("exceed") || lower.contains("reach"));
    if limit || lower.contains("quota") {
        return DriverError::Quota(message.to_owned());
    }
    DriverError::InvalidRequest(format!("{message} ({code})"))
}

/// SoftLayer ids are integers: anything else names no guest, and is
/// refused before it is sent.
pub(crate) fn guest_id(id: &str) -> Result<i64, DriverError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0 && id.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| DriverError::NotFound(format!("no SoftLayer virtual guest {id:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response::for_test(status, body)
    }

    #[test]
    fn faults_map_to_the_kinds_operators_act_on() {
        assert_eq!(
            fault(
                "SoftLayer_Exception_InvalidLegacyToken",
                "Invalid API token."
            ),
            DriverError::BadCredentials("Invalid API token.".into())
        );
        assert!(matches!(
            fault(
                "SoftLayer_Exception_ObjectNotFound",
                "Unable to find object"
            ),
            DriverError::NotFound(_)
        ));
        assert!(matches!(
            fault(
                "SoftLayer_Exception_Public",
                "Order exceeds the limit of guests"
            ),
            DriverError::Quota(_)
        ));
        assert_eq!(
            fault("fail", "Failed Call"),
            DriverError::InvalidRequest("Failed Call (fail)".into())
        );
        let body = "<methodResponse><fault><value><struct><member><name>faultCode</name>\
            <value><string>SoftLayer_Exception_ObjectNotFound</string></value></member>\
            <member><name>faultString</name><value><string>gone</string></value></member>\
            </struct></value></fault></methodResponse>";
        assert_eq!(
            answer(&resp(500, body)),
            Err(DriverError::NotFound("gone".into()))
        );
        assert_eq!(
            answer(&resp(503, "busy")),
            Err(DriverError::Unavailable(
                "HTTP 503: Service Unavailable".into()
            ))
        );
        assert!(matches!(
            answer(&resp(200, "<html/>")),
            Err(DriverError::Protocol(_))
        ));
    }

    #[test]
    fn ids_are_checked_before_they_are_sent() {
        assert_eq!(guest_id("2875152"), Ok(2875152));
        for bad in ["", "-1", "+5", "0", "../x", "99999999999999999999"] {
            assert!(
                matches!(guest_id(bad), Err(DriverError::NotFound(_))),
                "{bad}"
            );
        }
    }
}
