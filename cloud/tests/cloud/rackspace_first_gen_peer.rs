//! Rackspace's v1.1 authentication and Cloud Servers API v1.0 on loopback,
//! replaying Libcloud's recorded answers (tests/fixtures/libcloud/openstack,
//! see its README). Answers Libcloud did not record are written here and
//! marked "ours".
//!
//! The recorded catalogue's `https://servers.api.rackspacecloud.com/v1.0/slug`
//! is served re-based onto the peer (`<peer>/servers.api.rackspacecloud.com/v1.0/slug`),
//! so the driver must take Cloud Servers' URL from the authentication
//! answer. The user name `bad` is refused (the recorded 401), `notoken` gets
//! the recorded answer without a token. Cloud Servers accepts only the
//! recorded token.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use cloud::http::HttpConfig;
use cloud::rackspace_first_gen::{RackspaceFirstGen, Region};
use cloud::Secret;
use serde_json::Value;

use crate::peer_kit::{typed, Journal, Logged, Loopback};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/openstack/", $name))
    };
}

/// The token in Libcloud's recorded v1.1 answer.
pub const TOKEN: &str = "aaaaaaaaaaaa-bbb-cccccccccccccc";

/// Cloud Servers' path on the peer (the recorded host kept as a segment).
pub const SERVERS: &str = "/servers.api.rackspacecloud.com/v1.0/slug";

/// The server the recordings know (listed, and answered by a create).
pub const SERVER_ID: &str = "72258";

/// A fault the peer answers with instead of the next request's real answer.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// This status with a v1.0 fault body (ours).
    Status(u16),
    /// `200` with a body that is neither XML nor JSON.
    Garbage,
    /// `401` from Cloud Servers, as for an expired or revoked token (ours).
    Expired,
}

/// One request as the peer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `"POST /v1.1/auth"`.
    pub request: String,
    /// The `X-Auth-Token` sent, if any.
    pub token: Option<String>,
    /// The `Content-Type` sent, if any.
    pub content_type: Option<String>,
    /// The `Accept` sent, if any.
    pub accept: Option<String>,
    /// The body as text.
    pub body: String,
}

impl Logged for Seen {
    fn line(&self) -> String {
        self.request.clone()
    }
}

/// The peer's own state.
#[derive(Default)]
pub struct Peer {
    url: String,
    journal: Arc<Journal<Seen, Fault>>,
    empty: Mutex<bool>,
    expired: Mutex<bool>,
}

/// The Rackspace first-gen peer; [`FirstGenPeer::start`] runs one.
pub struct FirstGenPeer;

impl FirstGenPeer {
    /// Starts the peer on a free loopback port; its URL is
    /// `http://127.0.0.1:<port>`. Faults apply to Cloud Servers' requests.
    pub async fn start() -> Loopback<Seen, Fault, Peer> {
        let state = |url, journal| Peer {
            url,
            journal,
            ..Peer::default()
        };
        Loopback::start(state, |peer| Router::new().fallback(serve).with_state(peer)).await
    }
}

impl Loopback<Seen, Fault, Peer> {
    /// `servers/detail` answers the recorded empty list.
    pub fn empty(&self) {
        *self.state().empty.lock().unwrap() = true;
    }

    /// Tokens are issued already expired (ours: the recorded expiry, 2999,
    /// moved to 2001).
    pub fn expire_tokens(&self) {
        *self.state().expired.lock().unwrap() = true;
    }

    /// A driver for user `user` authenticating at this peer.
    pub fn driver(&self, region: Region, user: &str) -> RackspaceFirstGen {
        let http: HttpConfig = crate::fast_config(&self.url);
        RackspaceFirstGen::with_config(region, user, Secret::new("0123456789abcdef"), &http)
            .unwrap()
    }
}

fn xml(status: u16, body: &str) -> Response {
    typed(status, "application/xml", body)
}

/// Ours: a v1.0 fault body (`<itemNotFound code="404"><message>...`).
fn fault(status: u16, name: &str, message: &str) -> Response {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><{name} xmlns="http://docs.rackspacecloud.com/servers/api/v1.0" code="{status}"><message>{message}</message></{name}>"#
    );
    xml(status, &body)
}

async fn serve(
    State(peer): State<Arc<Peer>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let token = text(header::HeaderName::from_static("x-auth-token"));
    let body = String::from_utf8_lossy(&body).into_owned();
    peer.journal.record(Seen {
        request: format!("{method} {}", uri.path()),
        token: token.clone(),
        content_type: text(header::CONTENT_TYPE),
        accept: text(header::ACCEPT),
        body: body.clone(),
    });
    if uri.path() == "/v1.1/auth" {
        return auth(&peer, &method, &body);
    }
    let Some(path) = uri.path().strip_prefix(SERVERS) else {
        return typed(404, "text/plain", "no such endpoint");
    };
    if token.as_deref() != Some(TOKEN) {
        return fault(401, "unauthorized", "Invalid authentication token");
    }
    match peer.journal.next_fault() {
        Some(Fault::Status(status)) => {
            return fault(status, "cloudServersFault", "The server has failed")
        }
        Some(Fault::Garbage) => return typed(200, "application/xml", "}{ not xml"),
        Some(Fault::Expired) => return fault(401, "unauthorized", "Token expired"),
        None => {}
    }
    servers(&peer, &method, path, &body)
}

fn auth(peer: &Peer, method: &Method, body: &str) -> Response {
    let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let credentials = &body["credentials"];
    let user = credentials["username"].as_str();
    let key = credentials["key"].as_str();
    match (method.as_str(), user, key) {
        ("POST", Some("bad"), Some(_)) => typed(
            401,
            "application/json",
            fixture!("_v1_1__auth_unauthorized.json"),
        ),
        ("POST", Some("notoken"), Some(_)) => typed(
            200,
            "application/json",
            fixture!("_v1_1__auth_mssing_token.json"),
        ),
        ("POST", Some(_), Some(_)) => {
            let here = format!("\"{}/", peer.url);
            let mut recorded = fixture!("_v1_1__auth.json").replace("\"https://", &here);
            if *peer.expired.lock().unwrap() {
                recorded = recorded.replace("\"2999-", "\"2001-");
            }
            typed(200, "application/json", &recorded)
        }
        // Ours: the identity service's answer to a body it cannot read.
        _ => typed(
            400,
            "application/json",
            r#"{"badRequest":{"message":"Invalid JSON request body","code":400}}"#,
        ),
    }
}

fn servers(peer: &Peer, method: &Method, path: &str, body: &str) -> Response {
    let server = format!("/servers/{SERVER_ID}");
    let action = format!("/servers/{SERVER_ID}/action");
    match (method.as_str(), path) {
        ("GET", "/servers/detail") if *peer.empty.lock().unwrap() => {
            xml(200, fixture!("v1_slug_servers_detail_empty.xml"))
        }
        ("GET", "/servers/detail") => xml(200, fixture!("v1_slug_servers_detail.xml")),
        ("GET", "/flavors/detail") => xml(200, fixture!("v1_slug_flavors_detail.xml")),
        ("GET", "/images/detail") => xml(200, fixture!("v1_slug_images_detail.xml")),
        ("POST", "/servers") => match created_ok(body) {
            Ok(()) => xml(202, fixture!("v1_slug_servers.xml")),
            Err(why) => fault(400, "badRequest", why),
        },
        ("POST", p) if p == action => {
            let doc = roxmltree::Document::parse(body);
            let reboot = doc.as_ref().ok().map(|d| d.root_element());
            match reboot {
                Some(r) if r.tag_name().name() == "reboot" && r.attribute("type").is_some() => {
                    typed(202, "application/xml", "")
                }
                _ => fault(400, "badRequest", "Malformed request body"),
            }
        }
        ("DELETE", p) if p == server => typed(202, "application/xml", ""),
        // Ours: v1.0's answer for any other server.
        (_, p) if p.starts_with("/servers/") => fault(404, "itemNotFound", "Server not found"),
        _ => fault(404, "itemNotFound", "The resource could not be found."),
    }
}

/// A create body the v1.0 API takes: `<server>` with name, imageId and
/// flavorId.
fn created_ok(body: &str) -> Result<(), &'static str> {
    let doc = roxmltree::Document::parse(body).map_err(|_| "Malformed request body")?;
    let root = doc.root_element();
    let complete = root.tag_name().name() == "server"
        && ["name", "imageId", "flavorId"]
            .iter()
            .all(|a| root.attribute(*a).is_some_and(|v| !v.is_empty()));
    if complete {
        Ok(())
    } else {
        Err("A server needs a name, an imageId and a flavorId")
    }
}
