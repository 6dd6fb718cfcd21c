//! An EC2 peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/ec2, see its README), chosen by the `Action`
//! form field. Answers Libcloud did not record are written here and marked
//! "ours".
//!
//! Every request's SigV4 signature is checked against [`SECRET`] over the
//! headers and body as received (so what went on the wire is what was
//! signed); a mismatch is AWS's `SignatureDoesNotMatch`. The access key
//! picks the scenario: `good`; `bad` (`AuthFailure`); `paged` (the
//! recorded instances on two pages); `loop` (a `nextToken` that repeats);
//! `many` (3 pages of 1,000 instances built from the recorded ones);
//! `huge` (one page of 5,000).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use cloud::ec2::sigv4::{sign, Scope};
use cloud::ec2::Ec2;
use cloud::Secret;
use reqwest::Url;

use crate::ec2_recorded_answers::answer;
use crate::fast_config;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/ec2/", $name))
    };
}
pub(crate) use fixture;

/// The secret access key the peer checks signatures with.
pub const SECRET: &str = "recorded-secret-key";

/// An EC2 driver for the peer at `url` with access key `key` (the
/// scenario), signing with [`SECRET`] for `eu-west-1`.
pub fn driver(url: &str, key: &str) -> Ec2 {
    driver_with(url, key, SECRET, "ec2_eu_west")
}

/// An EC2 driver for `url` with every credential and the region given.
pub fn driver_with(url: &str, key: &str, secret: &str, region: &str) -> Ec2 {
    Ec2::with_config(key.into(), Secret::new(secret), region, &fast_config(url)).unwrap()
}

/// What the peer answers instead of the next request's real answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with an EC2 error body (code, message).
    Status(u16, &'static str, &'static str),
    /// This status with this body.
    Body(u16, &'static str),
}

/// One request as the peer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The form fields, in order (`Action` first).
    pub params: Vec<(String, String)>,
    /// The access key and region of the signature's scope.
    pub key: String,
    /// The region of the signature's scope.
    pub region: String,
}

impl Seen {
    /// The first value of form field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let found = self.params.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Peer {
    seen: Mutex<Vec<Seen>>,
    faults: Mutex<VecDeque<Fault>>,
}

/// The running peer; stops with the test's runtime.
pub struct Ec2Peer {
    /// `http://127.0.0.1:<port>/`, the driver's `apiurl`.
    pub url: String,
    peer: Arc<Peer>,
}

impl Ec2Peer {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> Ec2Peer {
        let peer = Arc::new(Peer::default());
        let app = Router::new()
            .route("/", post(handle))
            .with_state(peer.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Ec2Peer { url, peer }
    }

    /// Answers the next requests with `faults`, in order.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.peer.faults.lock().unwrap().extend(faults);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.peer.seen.lock().unwrap().clone()
    }

    /// The `Action` of every request so far.
    pub fn actions(&self) -> Vec<String> {
        let seen = self.seen();
        seen.iter()
            .map(|s| s.get("Action").unwrap_or("").to_owned())
            .collect()
    }
}

/// An XML answer.
pub fn xml(status: u16, body: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body.to_owned(),
    )
        .into_response()
}

/// Ours: EC2's error body.
pub fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{message}</Message></Error></Errors><RequestID>ours</RequestID></Response>"
    )
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    let text = std::str::from_utf8(body).unwrap();
    let url = Url::parse(&format!("http://peer/?{text}")).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Checks the signature over what arrived; `(access key, region)` if good.
fn verify(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), Box<Response>> {
    let value = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let auth = value("authorization");
    let field = |name: &str| {
        let start = auth
            .find(name)
            .map(|i| i + name.len())
            .unwrap_or(auth.len());
        let rest = &auth[start..];
        rest[..rest.find(',').unwrap_or(rest.len())]
            .trim()
            .to_owned()
    };
    let credential = field("Credential=");
    let parts: Vec<&str> = credential.split('/').collect();
    let [key, _date, region, "ec2", "aws4_request"] = parts.as_slice() else {
        return Err(Box::new(xml(
            400,
            &error_body("IncompleteSignature", "bad Authorization header"),
        )));
    };
    let secret = Secret::new(SECRET);
    let scope = Scope {
        access_key: key,
        secret: &secret,
        region,
        service: "ec2",
        amz_date: value("x-amz-date"),
    };
    let signed_headers = field("SignedHeaders=");
    let signed: Vec<(&str, &str)> = signed_headers.split(';').map(|n| (n, value(n))).collect();
    let url = Url::parse(&format!("http://{}/", value("host"))).unwrap();
    let expected = sign(&scope, "POST", &url, &signed, body);
    if !auth.starts_with("AWS4-HMAC-SHA256 ") || field("Signature=") != expected.signature {
        let message = "The request signature we calculated does not match the signature you \
                       provided. Check your AWS Secret Access Key and signing method. Consult \
                       the service documentation for details.";
        return Err(Box::new(xml(
            403,
            &error_body("SignatureDoesNotMatch", message),
        )));
    }
    Ok(((*key).to_owned(), (*region).to_owned()))
}

async fn handle(State(peer): State<Arc<Peer>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form(&body);
    let verified = verify(&headers, &body);
    let (key, region) = match &verified {
        Ok((key, region)) => (key.clone(), region.clone()),
        Err(_) => Default::default(),
    };
    let seen = Seen {
        params,
        key: key.clone(),
        region,
    };
    peer.seen.lock().unwrap().push(seen.clone());
    let fault = peer.faults.lock().unwrap().pop_front();
    match fault {
        Some(Fault::Status(status, code, message)) => {
            return xml(status, &error_body(code, message))
        }
        Some(Fault::Body(status, body)) => return xml(status, body),
        None => {}
    }
    if let Err(refusal) = verified {
        return *refusal;
    }
    if key == "bad" {
        let message = "AWS was not able to validate the provided access credentials";
        return xml(401, &error_body("AuthFailure", message));
    }
    answer(&key, &seen)
}
