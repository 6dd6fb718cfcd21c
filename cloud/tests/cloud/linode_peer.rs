//! A Linode API v4 peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/linode_v4, see its README), with faults scripted
//! per test. Answers Libcloud did not record are written here and marked
//! "ours".
//!
//! The bearer token picks the scenario: `good` (one page of everything),
//! `paged` (instances and images on two pages each), anything else a 401.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/linode_v4/", $name))
    };
}

/// The Linodes the recordings know: the two listed and the one a create
/// returns.
pub const KNOWN: [&str; 3] = ["22344420", "22344421", "45501392"];

/// A fault the peer answers with instead of the next request's real answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with a Linode error body (`reason`, optional `field`)
    /// and an optional `Retry-After`.
    Status(
        u16,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    ),
    /// `200` with a body that is not JSON.
    Garbage,
}

/// One request as the peer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

#[derive(Default)]
struct Peer {
    seen: Mutex<Vec<Seen>>,
    faults: Mutex<VecDeque<Fault>>,
}

/// The running peer; stops with the test's runtime.
pub struct LinodePeer {
    /// `http://127.0.0.1:<port>`, the driver's `apiurl`.
    pub url: String,
    peer: Arc<Peer>,
}

impl LinodePeer {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> LinodePeer {
        let peer = Arc::new(Peer::default());
        let app = Router::new()
            .route("/v4/profile", get(profile))
            .route("/v4/linode/instances", get(instances).post(create))
            .route(
                "/v4/linode/instances/{id}",
                get(instance).put(update).delete(delete),
            )
            .route("/v4/linode/instances/{id}/{action}", post(action))
            .route(
                "/v4/linode/types",
                get(|| async { ok(fixture!("list_types.json")) }),
            )
            .route("/v4/images", get(images))
            .route(
                "/v4/regions",
                get(|| async { ok(fixture!("list_locations.json")) }),
            )
            .layer(middleware::from_fn_with_state(peer.clone(), observe))
            .with_state(peer.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        LinodePeer { url, peer }
    }

    /// Answers the next requests with `faults`, in order.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.peer.faults.lock().unwrap().extend(faults);
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.peer.seen.lock().unwrap().clone()
    }

    /// Requests so far as `"METHOD uri"`.
    pub fn requests(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.uri))
            .collect()
    }
}

fn answer(status: u16, body: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_owned(),
    )
        .into_response()
}

fn ok(body: &str) -> Response {
    answer(200, body)
}

/// Ours: Linode's error body.
fn errors(status: u16, reason: &str, field: Option<&str>) -> Response {
    let mut error = json!({ "reason": reason });
    if let Some(field) = field {
        error["field"] = json!(field);
    }
    answer(status, &json!({ "errors": [error] }).to_string())
}

/// Ours: Linode's 404.
fn not_found() -> Response {
    errors(404, "Not found", None)
}

fn token(headers: &HeaderMap) -> &str {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    auth.and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("")
}

/// Records the request, applies the next fault, checks the token.
async fn observe(State(peer): State<Arc<Peer>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap();
    peer.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        body: serde_json::from_slice(&bytes).ok(),
    });
    let fault = peer.faults.lock().unwrap().pop_front();
    match fault {
        Some(Fault::Status(status, reason, field, retry_after)) => {
            let mut resp = errors(status, reason, field);
            if let Some(after) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, after.parse().unwrap());
            }
            return resp;
        }
        Some(Fault::Garbage) => return ok("<html>502 Bad Gateway</html>"),
        None => {}
    }
    if !matches!(token(&parts.headers), "good" | "paged") {
        // Ours: what Linode answers a wrong or expired token.
        return errors(401, "Invalid Token", None);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Ours: Libcloud recorded no `/v4/profile`.
async fn profile() -> Response {
    ok(r#"{"username":"sammy","email":"sammy@example.com","restricted":false,"uid":1234}"#)
}

fn page(q: &HashMap<String, String>) -> u64 {
    q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

async fn instances(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match (token(&headers), page(&q)) {
        ("paged", 1) => {
            // Ours, from the recording: the same list said to be page 1 of 2.
            let mut first: Value = serde_json::from_str(fixture!("list_nodes.json")).unwrap();
            first["pages"] = json!(2);
            first["results"] = json!(3);
            ok(&first.to_string())
        }
        ("paged", 2) => {
            // Ours, from the recording: the created Linode on page 2.
            let created: Value = serde_json::from_str(fixture!("create_node.json")).unwrap();
            ok(&json!({ "data": [created], "page": 2, "pages": 2, "results": 3 }).to_string())
        }
        (_, 1) => ok(fixture!("list_nodes.json")),
        // Ours: an empty page past the end.
        (_, n) => ok(&json!({ "data": [], "page": n, "pages": 1, "results": 2 }).to_string()),
    }
}

async fn images(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match (token(&headers), page(&q)) {
        ("paged", 1) => ok(fixture!("list_images_paginated_page_1.json")),
        ("paged", 2) => ok(fixture!("list_images_paginated_page_2.json")),
        _ => ok(fixture!("list_images.json")),
    }
}

async fn create(Json(body): Json<Value>) -> Response {
    for field in ["type", "region", "label"] {
        if body.get(field).is_none() {
            // Ours: Linode's 400 for a missing field.
            return errors(400, &format!("{field} is required"), Some(field));
        }
    }
    if body["image"] == "no-such-image" {
        // Ours: Linode's 400 naming the field.
        return errors(400, "image is not valid", Some("image"));
    }
    ok(fixture!("create_node.json"))
}

async fn instance(Path(id): Path<String>) -> Response {
    if KNOWN.contains(&id.as_str()) {
        ok(fixture!("ex_get_node.json"))
    } else {
        not_found()
    }
}

async fn update(Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    if !KNOWN.contains(&id.as_str()) {
        return not_found();
    }
    // Ours, from the recording: the Linode with the tags it was sent.
    let mut node: Value = serde_json::from_str(fixture!("ex_get_node.json")).unwrap();
    if let Some(tags) = body.get("tags") {
        node["tags"] = tags.clone();
    }
    ok(&node.to_string())
}

async fn delete(Path(id): Path<String>) -> Response {
    if KNOWN.contains(&id.as_str()) {
        ok("{}")
    } else {
        not_found()
    }
}

async fn action(Path((id, action)): Path<(String, String)>) -> Response {
    if !KNOWN.contains(&id.as_str()) {
        return not_found();
    }
    match action.as_str() {
        "reboot" | "boot" | "shutdown" => ok("{}"),
        _ => not_found(),
    }
}
