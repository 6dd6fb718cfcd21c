//! A stand-in for DigitalOcean's API (`apiurl` on the backend) that counts
//! the polls: every `GET /v2/droplets` is noted with its time, held for a
//! moment (so a test can kill the instance mid-poll), then answered with
//! `droplets` droplets built from Libcloud's recorded one.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

pub const TOKEN: &str = "do-token-for-the-cluster";

/// The provider's record of polls.
#[derive(Clone)]
pub struct Provider {
    pub url: String,
    inner: Arc<Inner>,
}

struct Inner {
    polls: Mutex<Vec<Instant>>,
    polled: Notify,
    hold: Duration,
    body: String,
}

impl Provider {
    /// Serves on a loopback port; each list is held for `hold`.
    pub async fn start(droplets: usize, hold: Duration) -> Provider {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../cloud/tests/fixtures/libcloud/digitalocean_v2/list_nodes_page_1.json"
        );
        let recorded: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let one = recorded["droplets"][0].clone();
        let list: Vec<Value> = (0..droplets)
            .map(|i| {
                let mut d = one.clone();
                d["id"] = json!(9_000_000 + i);
                d["name"] = json!(format!("web-{i:03}"));
                d
            })
            .collect();
        let body = json!({"droplets": list, "links": {}, "meta": {"total": droplets}}).to_string();
        let inner = Arc::new(Inner {
            polls: Mutex::new(Vec::new()),
            polled: Notify::new(),
            hold,
            body,
        });
        let app = Router::new()
            .route("/v2/account", get(account))
            .route("/v2/droplets", get(droplets_list))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Provider { url, inner }
    }

    /// When each list request arrived.
    pub fn polls(&self) -> Vec<Instant> {
        self.inner.polls.lock().unwrap().clone()
    }

    /// Waits for the next list request after the `seen`th; when it came.
    pub async fn next_poll(&self, seen: usize, within: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.inner.polled.notified();
            if let Some(at) = self.polls().get(seen) {
                return Some(*at);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.polls().get(seen).copied();
            }
        }
    }
}

async fn account() -> impl IntoResponse {
    json_ok(
        r#"{"account":{"droplet_limit":25,"email":"ops@example.com","status":"active","status_message":""}}"#
            .to_owned(),
    )
}

async fn droplets_list(State(inner): State<Arc<Inner>>) -> impl IntoResponse {
    inner.polls.lock().unwrap().push(Instant::now());
    inner.polled.notify_waiters();
    tokio::time::sleep(inner.hold).await;
    json_ok(inner.body.clone())
}

fn json_ok(body: String) -> impl IntoResponse {
    (StatusCode::OK, [("content-type", "application/json")], body)
}
