//! A DigitalOcean peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/digitalocean_v2, see its README), with faults
//! scripted per test. Answers Libcloud did not record are written here and
//! marked "ours".
//!
//! The bearer token picks the scenario: `good`, `bad` (401), `empty` (no
//! droplets), `page-one` (the second page is empty), `many` (3 pages of 200
//! droplets built from a recorded droplet).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub use crate::peer_kit::Fault;
use crate::peer_kit::{answer, bearer, ok, read_json, serve_observed, Loopback, Rules, Seen};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/digitalocean_v2/", $name))
    };
}

/// The DigitalOcean peer; [`Recorded::start`] runs one.
pub struct Recorded;

impl Recorded {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> Loopback<Seen> {
        let app = Router::new()
            .route("/v2/account", get(account))
            .route("/v2/account/keys", get(keys).post(create_key))
            .route("/v2/droplets", get(droplets).post(create_droplet))
            .route("/v2/droplets/{id}", get(droplet).delete(delete_droplet))
            .route("/v2/droplets/{id}/actions", post(droplet_action))
            .route(
                "/v2/sizes",
                get(|| async { ok(fixture!("list_sizes.json")) }),
            )
            .route(
                "/v2/images",
                get(|| async { ok(fixture!("list_images.json")) }),
            )
            .route(
                "/v2/regions",
                get(|| async { ok(fixture!("list_locations.json")) }),
            );
        serve_observed(app, RULES).await
    }
}

/// JSON bodies, DigitalOcean's error body for a status fault, the scenario
/// tokens let in.
const RULES: Rules<Option<Value>> = Rules {
    read: read_json,
    status: |status, message| {
        answer(
            status,
            &json!({ "id": "injected", "message": message }).to_string(),
        )
    },
    refuse: |headers| {
        let known = matches!(bearer(headers), "good" | "empty" | "page-one" | "many");
        (!known).then(|| answer(401, fixture!("error.json")))
    },
};

/// Ours: DigitalOcean's 404 body.
fn not_found() -> Response {
    answer(
        404,
        r#"{"id":"not_found","message":"The resource you were accessing could not be found."}"#,
    )
}

/// Ours: Libcloud recorded no `/v2/account`.
async fn account() -> Response {
    ok(
        r#"{"account":{"droplet_limit":25,"email":"sammy@example.com","status":"active","status_message":""}}"#,
    )
}

async fn keys() -> Response {
    ok(fixture!("list_key_pairs.json"))
}

async fn create_key() -> Response {
    answer(201, fixture!("create_key_pair.json"))
}

async fn droplets(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    match (bearer(&headers), page) {
        ("empty", _) | ("page-one", 2) => ok(fixture!("list_nodes_empty.json")),
        ("many", page @ 1..=3) => ok(&many()[page - 1]),
        (_, 1) => ok(fixture!("list_nodes_page_1.json")),
        (_, 2) => ok(fixture!("list_nodes.json")),
        _ => not_found(),
    }
}

/// Three pages of 200 droplets each, built once.
fn many() -> &'static [String; 3] {
    static PAGES: OnceLock<[String; 3]> = OnceLock::new();
    PAGES.get_or_init(|| [1, 2, 3].map(|page| many_page(page).to_string()))
}

/// Page `page` of 3: the recorded droplet with new ids.
fn many_page(page: usize) -> Value {
    let recorded: Value = serde_json::from_str(fixture!("list_nodes.json")).unwrap();
    let template = &recorded["droplets"][0];
    let droplets: Vec<Value> = (0..200)
        .map(|i| {
            let mut d = template.clone();
            d["id"] = json!(1_000_000 + page * 1000 + i);
            d["name"] = json!(format!("web-{page}-{i}"));
            d
        })
        .collect();
    let next = (page < 3).then(|| {
        format!(
            "https://api.digitalocean.com/v2/droplets?page={}&per_page=200",
            page + 1
        )
    });
    json!({ "droplets": droplets, "links": { "pages": { "next": next } }, "meta": { "total": 600 } })
}

async fn droplet(Path(id): Path<String>) -> Response {
    if id == "3164444" {
        ok(fixture!("list_node.json"))
    } else {
        not_found()
    }
}

async fn create_droplet(Json(body): Json<Value>) -> Response {
    if ["name", "size", "image"]
        .iter()
        .any(|k| body.get(k).is_none())
    {
        // Ours: DigitalOcean's 422 for a missing field.
        return answer(
            422,
            r#"{"id":"unprocessable_entity","message":"name, size and image are required"}"#,
        );
    }
    if body["image"] == "no-such-image" {
        return answer(422, fixture!("error_invalid_image.json"));
    }
    answer(202, fixture!("list_node.json"))
}

async fn delete_droplet(Path(id): Path<String>) -> Response {
    if id == "3164444" {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found()
    }
}

async fn droplet_action(
    method: Method,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(method, Method::POST);
    if id != "3164444" {
        return not_found();
    }
    match body["type"].as_str() {
        Some("reboot") => answer(201, fixture!("reboot_node.json")),
        Some("power_on") => answer(201, fixture!("ex_power_on_node.json")),
        Some("shutdown") => answer(201, fixture!("ex_shutdown_node.json")),
        // Ours.
        _ => answer(
            422,
            r#"{"id":"unprocessable_entity","message":"unknown action type"}"#,
        ),
    }
}
