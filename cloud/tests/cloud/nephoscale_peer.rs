//! A NephoScale API peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/nephoscale, see its README), with faults
//! scripted per test. Answers Libcloud did not record are written here and
//! marked "ours".
//!
//! HTTP Basic picks the scenario: `user:password` (a create's server is
//! listed at once), `slow:password` (it never is), anything else a 401.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};

pub use crate::peer_kit::Fault;
use crate::peer_kit::{self, answer, ok, serve_observed, Loopback, Rules};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/nephoscale/", $name))
    };
}

/// The servers the recording lists.
pub const RECORDED: [&str; 2] = ["88241", "88751"];

/// The id the peer gives the server the first create adds (ours); the
/// next creates get the next ids.
pub const CREATED: &str = "88999";

/// The id the peer gives a new SSH key (ours).
pub const NEW_KEY: &str = "72300";

/// One request as the peer saw it, with the form fields of its body in
/// order.
pub type Seen = peer_kit::Seen<Vec<(String, String)>>;

impl Seen {
    /// The value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        let found = self.body.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Peer {
    /// The names of the servers creates asked for, in order.
    created: Mutex<Vec<String>>,
}

/// The NephoScale peer; [`NephoPeer::start`] runs one.
pub struct NephoPeer;

impl NephoPeer {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> Loopback<Seen> {
        let app = Router::new()
            .route("/server/cloud/", get(servers).post(create))
            .route("/server/cloud/{id}/", delete(destroy))
            .route("/server/cloud/{id}/initiator/{action}/", post(action))
            .route(
                "/server/type/cloud/",
                get(|| async { ok(fixture!("list_sizes.json")) }),
            )
            .route(
                "/image/server/",
                get(|| async { ok(fixture!("list_images.json")) }),
            )
            .route(
                "/datacenter/zone/",
                get(|| async { ok(fixture!("list_locations.json")) }),
            )
            .route(
                "/key/sshrsa/",
                get(|| async { ok(fixture!("list_ssh_keys.json")) }).post(new_key),
            )
            .with_state(Arc::new(Peer::default()));
        serve_observed(app, RULES).await
    }
}

/// Form bodies, NephoScale's envelope for a status fault, the scenario
/// users let in.
const RULES: Rules<Vec<(String, String)>> = Rules {
    read: form,
    status: refused,
    // Ours: what NephoScale answers wrong credentials.
    refuse: |headers| {
        let known = matches!(user(headers).as_deref(), Some("user" | "slow"));
        (!known).then(|| refused(401, "Authentication failed: bad username or password"))
    },
};

/// Ours: NephoScale's error envelope.
fn refused(status: u16, message: &str) -> Response {
    let body = json!({ "success": false, "response": status, "subcode": 0, "message": message });
    answer(status, &body.to_string())
}

/// Ours: NephoScale's 404.
fn not_found() -> Response {
    refused(404, "The resource you are looking for is not found.")
}

/// The `username` of a Basic `Authorization` with the password `password`.
fn user(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (user, pass) = pair.split_once(':')?;
    (pass == "password").then(|| user.to_owned())
}

/// A form body's fields, decoded.
fn form(bytes: &[u8]) -> Vec<(String, String)> {
    let query = String::from_utf8_lossy(bytes);
    let url = reqwest::Url::parse(&format!("http://x/?{query}")).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The id of the `n`th created server (0-based).
fn created_id(n: usize) -> u64 {
    CREATED.parse::<u64>().unwrap() + n as u64
}

/// Whether `id` is a recorded or created server.
fn known(peer: &Peer, id: &str) -> bool {
    let created = peer.created.lock().unwrap().len();
    RECORDED.contains(&id) || (0..created).any(|n| created_id(n).to_string() == id)
}

async fn servers(State(peer): State<Arc<Peer>>, headers: HeaderMap) -> Response {
    let created = peer.created.lock().unwrap().clone();
    if created.is_empty() || user(&headers).as_deref() != Some("user") {
        return ok(fixture!("list_nodes.json"));
    }
    // Ours, from the recording: the created servers, off and without an
    // address yet, after the recorded two.
    let mut list: Value = serde_json::from_str(fixture!("list_nodes.json")).unwrap();
    let template = list["data"][0].clone();
    let data = list["data"].as_array_mut().unwrap();
    for (n, name) in created.into_iter().enumerate() {
        let mut new = template.clone();
        new["id"] = json!(created_id(n));
        new["name"] = json!(name);
        new["power_status"] = json!("off");
        new["ipaddresses"] = json!("");
        data.push(new);
    }
    list["total_count"] = json!(data.len());
    ok(&list.to_string())
}

async fn create(State(peer): State<Arc<Peer>>, body: String) -> Response {
    let fields = form(body.as_bytes());
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
    for field in ["name", "hostname", "service_type", "image"] {
        if get(field).is_none() {
            // Ours: NephoScale's refusal of an incomplete form.
            return refused(400, &format!("{field} is required"));
        }
    }
    if get("image").as_deref() == Some("404") {
        // Ours: a 200 whose envelope refuses (NephoScale's habit).
        let body = json!({ "success": false, "response": 400, "message": "Invalid image" });
        return ok(&body.to_string());
    }
    peer.created.lock().unwrap().extend(get("name"));
    ok(fixture!("success_action.json"))
}

/// Ours: Libcloud recorded no answer to a new SSH key.
async fn new_key() -> Response {
    let body = json!({
        "success": true, "response": 201, "subcode": 0,
        "message": "Your request was processed successfully.",
        "data": { "id": NEW_KEY.parse::<u64>().unwrap(), "resource_type": "/key/sshrsa",
                  "uri": format!("https://api.nephoscale.com/key/sshrsa/{NEW_KEY}/") },
    });
    answer(201, &body.to_string())
}

async fn destroy(State(peer): State<Arc<Peer>>, Path(id): Path<String>) -> Response {
    if known(&peer, &id) {
        ok(fixture!("success_action.json"))
    } else {
        not_found()
    }
}

async fn action(
    State(peer): State<Arc<Peer>>,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    if !known(&peer, &id) {
        return not_found();
    }
    match action.as_str() {
        "restart" | "start" | "stop" => ok(fixture!("success_action.json")),
        _ => not_found(),
    }
}
