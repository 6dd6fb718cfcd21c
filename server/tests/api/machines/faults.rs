//! A provider that fails while it is polled: answers 500, answers garbage,
//! stops answering or cannot be reached. Its backend turns `error` with the
//! reason, its machines stay listed, and other backends carry on.

use std::{
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Router,
};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const DROPLETS: &str =
    include_str!("../../../../cloud/tests/fixtures/libcloud/digitalocean_v2/list_nodes.json");

const HEALTHY: u8 = 0;
const FAILING: u8 = 1;
const GARBAGE: u8 = 2;
const HANGING: u8 = 3;

/// A DigitalOcean stand-in on loopback whose behaviour the test switches.
struct Peer {
    url: String,
    mode: Arc<AtomicU8>,
    task: tokio::task::JoinHandle<()>,
}

async fn answer(State(mode): State<Arc<AtomicU8>>, req: Request) -> Response {
    match mode.load(Ordering::SeqCst) {
        FAILING => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"id": "server_error", "message": "Server was unable to give you a response."})),
        )
            .into_response(),
        GARBAGE => (StatusCode::OK, "<html>maintenance</html>").into_response(),
        HANGING => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        _ => match req.uri().path() {
            "/v2/account" => axum::Json(json!({"account": {"status": "active"}})).into_response(),
            "/v2/droplets" => (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                DROPLETS,
            )
                .into_response(),
            _ => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"id": "not_found", "message": "not here"})),
            )
                .into_response(),
        },
    }
}

impl Peer {
    async fn start() -> Peer {
        let mode = Arc::new(AtomicU8::new(HEALTHY));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(answer).with_state(mode.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Peer { url, mode, task }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }
}

async fn add(app: &TestApp, title: &str, peer: &Peer) -> String {
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(
                json!({"title": title, "provider": "digitalocean", "apisecret": "token",
                        "apiurl": peer.url, "poll_interval": 1000}),
            ),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn backend(app: &TestApp, id: &str) -> Value {
    let all: Value = app.get_json("/backends").await.json().await.unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .cloned()
        .unwrap()
}

/// Waits (up to 30 s) until backend `id` is in `state` with a reason that
/// contains `says`; returns the reason.
async fn until_state(app: &TestApp, id: &str, state: &str, says: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let b = backend(app, id).await;
        let reason = b["state_reason"].as_str().unwrap_or_default().to_owned();
        if b["state"] == state && reason.contains(says) {
            return reason;
        }
        assert!(Instant::now() < deadline, "still {b}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn machine_count(app: &TestApp, id: &str) -> usize {
    let list: Value = app
        .get_json(&format!("/backends/{id}/machines"))
        .await
        .json()
        .await
        .unwrap();
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn a_failing_provider_turns_its_backend_error_and_leaves_the_rest_alone() {
    // A provider gets 1 s a request, so a hung one is given up quickly.
    let app = TestApp::signed_in_with(|s| s.provider_timeout = 1).await;
    let (sick, well) = (Peer::start().await, Peer::start().await);
    let a = add(&app, "sick", &sick).await;
    let b = add(&app, "well", &well).await;
    let listed = machine_count(&app, &a).await;
    assert!(listed > 0, "the recording's droplets are listed");

    sick.set(FAILING);
    until_state(&app, &a, "error", "Server was unable").await;
    assert_eq!(machine_count(&app, &a).await, listed, "nothing lost");

    sick.set(GARBAGE);
    until_state(&app, &a, "error", "maintenance").await;
    assert_eq!(machine_count(&app, &a).await, listed);

    sick.task.abort();
    until_state(&app, &a, "error", "connect").await;
    assert_eq!(machine_count(&app, &a).await, listed);
    assert_eq!(backend(&app, &b).await["state"], "online");

    // A provider that never answers holds up nothing: the other backend is
    // polled on, and lists answer from the database at once; once its
    // requests time out, the backend is in error too.
    well.set(HANGING);
    let hung_polled = backend(&app, &b).await;
    let third = Peer::start().await;
    let c = add(&app, "third", &third).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = Instant::now();
    assert_eq!(machine_count(&app, &b).await, listed, "{hung_polled}");
    assert!(
        before.elapsed() < Duration::from_millis(500),
        "the hung backend's list answers from the database: {:?}",
        before.elapsed()
    );
    until_state(&app, &b, "error", "no answer within").await;
    assert_eq!(machine_count(&app, &b).await, listed, "nothing lost");
    assert_eq!(backend(&app, &c).await["state"], "online");
}

#[tokio::test]
async fn a_provider_that_stops_answering_turns_its_backend_error_within_the_timeout() {
    const TIMEOUT: u64 = 2;
    const INTERVAL: Duration = Duration::from_millis(1000);
    let app = TestApp::signed_in_with(|s| s.provider_timeout = TIMEOUT).await;
    let peer = Peer::start().await;
    let id = add(&app, "hangs", &peer).await;
    let listed = machine_count(&app, &id).await;
    assert_eq!(backend(&app, &id).await["state"], "online");

    // From the moment it stops answering, the next poll (within one poll
    // interval) gets no answer, and its deadline, retries included, is the
    // provider timeout: the backend is in error at once then.
    peer.set(HANGING);
    let hung = Instant::now();
    let reason = until_state(&app, &id, "error", "no answer within").await;
    let took = hung.elapsed();
    println!(
        "hung provider (provider_timeout {TIMEOUT} s, poll interval {:.0} s): error after {:.2} s: {reason}",
        INTERVAL.as_secs_f64(),
        took.as_secs_f64()
    );
    assert!(reason.contains(&format!("{TIMEOUT} s")), "{reason}");
    assert!(
        took <= Duration::from_secs(TIMEOUT) + INTERVAL + Duration::from_secs(1),
        "{took:?}: {reason}"
    );
    assert_eq!(machine_count(&app, &id).await, listed, "nothing lost");
}
