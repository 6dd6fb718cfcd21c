//! A DigitalOcean peer on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/digitalocean_v2, see its README), with faults
//! scripted per test. Answers Libcloud did not record are written here and
//! marked "ours".
//!
//! The bearer token picks the scenario: `good`, `bad` (401), `empty` (no
//! droplets), `page-one` (the second page is empty), `many` (3 pages of 200
//! droplets built from a recorded droplet).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/digitalocean_v2/", $name))
    };
}

/// A fault the peer answers with instead of the next request's real answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with a DigitalOcean error body (`message`) and an
    /// optional `Retry-After`.
    Status(u16, &'static str, Option<&'static str>),
    /// Wait this long, then answer normally.
    Delay(Duration),
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
pub struct Recorded {
    /// `http://127.0.0.1:<port>`, the driver's `apiurl`.
    pub url: String,
    peer: Arc<Peer>,
}

impl Recorded {
    /// Starts the peer on a free loopback port.
    pub async fn start() -> Recorded {
        let peer = Arc::new(Peer::default());
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
            )
            .layer(middleware::from_fn_with_state(peer.clone(), observe))
            .with_state(peer.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Recorded { url, peer }
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

/// Ours: DigitalOcean's 404 body.
fn not_found() -> Response {
    answer(
        404,
        r#"{"id":"not_found","message":"The resource you were accessing could not be found."}"#,
    )
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
        Some(Fault::Status(status, message, retry_after)) => {
            let mut resp = answer(
                status,
                &json!({ "id": "injected", "message": message }).to_string(),
            );
            if let Some(after) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, after.parse().unwrap());
            }
            return resp;
        }
        Some(Fault::Garbage) => return ok("<html>502 Bad Gateway</html>"),
        Some(Fault::Delay(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    if !matches!(
        token(&parts.headers),
        "good" | "empty" | "page-one" | "many"
    ) {
        return answer(401, fixture!("error.json"));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
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
    match (token(&headers), page) {
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
