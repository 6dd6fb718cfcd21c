//! A Linode API v4 peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/linode_v4, see its README), with faults scripted
//! per test. Answers Libcloud did not record are written here and marked
//! "ours".
//!
//! The bearer token picks the scenario: `good` (one page of everything),
//! `paged` (instances and images on two pages each), anything else a 401.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub use crate::peer_kit::Fault;
use crate::peer_kit::{answer, bearer, ok, read_json, serve_observed, Loopback, Rules, Seen};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/linode_v4/", $name))
    };
}

/// The Linodes the recordings know: the two listed and the one a create
/// returns.
pub const KNOWN: [&str; 3] = ["22344420", "22344421", "45501392"];

/// The Linode peer; [`LinodePeer::start`] runs one.
pub struct LinodePeer;

impl LinodePeer {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> Loopback<Seen> {
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
            );
        serve_observed(app, RULES).await
    }
}

/// JSON bodies, Linode's error body for a status fault, the scenario tokens
/// let in.
const RULES: Rules<Option<Value>> = Rules {
    read: read_json,
    status: |status, reason| errors(status, reason, None),
    // Ours: what Linode answers a wrong or expired token.
    refuse: |headers| {
        let known = matches!(bearer(headers), "good" | "paged");
        (!known).then(|| errors(401, "Invalid Token", None))
    },
};

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

/// Ours: Libcloud recorded no `/v4/profile`.
async fn profile() -> Response {
    ok(r#"{"username":"sammy","email":"sammy@example.com","restricted":false,"uid":1234}"#)
}

fn page(q: &HashMap<String, String>) -> u64 {
    q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

async fn instances(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match (bearer(&headers), page(&q)) {
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
    match (bearer(&headers), page(&q)) {
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
