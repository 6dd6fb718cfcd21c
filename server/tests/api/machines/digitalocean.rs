//! A DigitalOcean backend end to end through the REST API: the driver (tested
//! on its own against Libcloud's recordings and Prism in the `cloud` crate)
//! here talks to a small peer serving Libcloud's recorded DigitalOcean
//! answers, so the backend, poller, machine and action doors are exercised.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
    Router,
};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const TOKEN: &str = "do-token-for-tests";

/// One of Libcloud's recorded DigitalOcean v2 answers.
pub(crate) fn recorded(name: &str) -> String {
    let path = format!(
        "{}/../cloud/tests/fixtures/libcloud/digitalocean_v2/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Clone, Default)]
struct Peer {
    destroyed: Arc<AtomicBool>,
    actions: Arc<std::sync::Mutex<Vec<String>>>,
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn json_body(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

fn refused() -> Response {
    json_body(
        StatusCode::UNAUTHORIZED,
        r#"{"id":"unauthorized","message":"Unable to authenticate you."}"#.into(),
    )
}

async fn account(headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return refused();
    }
    json_body(
        StatusCode::OK,
        r#"{"account":{"droplet_limit":25,"email":"ops@example.com","status":"active","status_message":""}}"#.into(),
    )
}

async fn droplets(State(peer): State<Peer>, headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return refused();
    }
    if peer.destroyed.load(Ordering::SeqCst) {
        json_body(StatusCode::OK, recorded("list_nodes_empty.json"))
    } else {
        json_body(StatusCode::OK, recorded("list_nodes_page_1.json"))
    }
}

async fn action(
    State(peer): State<Peer>,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: String,
) -> Response {
    if !authorised(&headers) {
        return refused();
    }
    peer.actions.lock().unwrap().push(format!("{id} {body}"));
    json_body(StatusCode::CREATED, recorded("reboot_node.json"))
}

async fn destroy(State(peer): State<Peer>, headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return refused();
    }
    peer.destroyed.store(true, Ordering::SeqCst);
    StatusCode::NO_CONTENT.into_response()
}

async fn start_peer() -> (String, Peer) {
    let peer = Peer::default();
    let app = Router::new()
        .route("/v2/account", get(account))
        .route("/v2/droplets", get(droplets))
        .route("/v2/droplets/{id}/actions", post(action))
        .route("/v2/droplets/{id}", delete(destroy))
        .route(
            "/v2/sizes",
            get(|| async { json_body(StatusCode::OK, recorded("list_sizes.json")) }),
        )
        .route(
            "/v2/images",
            get(|| async { json_body(StatusCode::OK, recorded("list_images.json")) }),
        )
        .route(
            "/v2/regions",
            get(|| async { json_body(StatusCode::OK, recorded("list_locations.json")) }),
        )
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, peer)
}

#[tokio::test]
async fn a_digitalocean_backend_lists_acts_on_and_loses_its_droplets() {
    let (url, peer) = start_peer().await;
    let app = TestApp::signed_in().await;

    // Wrong token: 400 quoting DigitalOcean, nothing stored.
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "do", "provider": "digitalocean", "apisecret": "wrong", "apiurl": url})),
        )
        .await;
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("Unable to authenticate you."),
        "{err}"
    );
    assert_eq!(
        app.get_json("/backends")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        json!([])
    );

    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "do", "provider": "digitalocean", "apisecret": TOKEN, "apiurl": url})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let backend: Value = res.json().await.unwrap();
    assert!(
        !backend.to_string().contains(TOKEN),
        "the token is never shown"
    );
    let b = backend["id"].as_str().unwrap().to_owned();
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(
        !String::from_utf8_lossy(&stored).contains(TOKEN),
        "the token is sealed at rest"
    );

    let machines: Value = app
        .get_json(&format!("/backends/{b}/machines"))
        .await
        .json()
        .await
        .unwrap();
    let first = &machines[0];
    assert!(
        first["id"].is_string() && first["name"].is_string(),
        "{machines}"
    );
    assert_eq!(first["can_destroy"], true);
    let m = first["id"].as_str().unwrap().to_owned();

    let sizes: Value = app
        .get_json(&format!("/backends/{b}/sizes"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!sizes.as_array().unwrap().is_empty());

    // Actions go to DigitalOcean as its action types.
    let path = format!("/backends/{b}/machines/{m}");
    let res = app
        .api(Method::POST, &path, Some(json!({"action": "reboot"})))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(peer.actions.lock().unwrap()[0].contains("reboot"));
    let res = app
        .api(Method::POST, &path, Some(json!({"action": "explode"})))
        .await;
    assert_eq!(res.status(), 400);

    // Destroy; the poller notices the droplet is gone.
    let res = app
        .api(Method::POST, &path, Some(json!({"action": "destroy"})))
        .await;
    assert_eq!(res.status(), 200);
    let mut listed = Value::Null;
    for _ in 0..50 {
        listed = app
            .get_json(&format!("/backends/{b}/machines"))
            .await
            .json()
            .await
            .unwrap();
        if listed == json!([]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(listed, json!([]), "the poller refreshed the list");
    let backends: Value = app.get_json("/backends").await.json().await.unwrap();
    assert_eq!(backends[0]["state"], "online");
}

#[tokio::test]
async fn a_linode_backend_whose_endpoint_does_not_answer_is_not_added() {
    let app = TestApp::signed_in().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(
                json!({"title": "linode", "provider": "linode", "apisecret": "t",
                        "apiurl": format!("http://127.0.0.1:{closed}")}),
            ),
        )
        .await;
    assert_eq!(res.status(), 502);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"].as_str().unwrap().starts_with("Linode:"),
        "{err}"
    );
    assert_eq!(
        app.get_json("/backends")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        json!([])
    );
}

/// mist.io's star: `POST /backends/{b}/images/{image}` stars (and again
/// unstars) an image; starred images come first, marked, in the image
/// answers and the create form.
#[tokio::test]
async fn a_starred_image_comes_first_until_it_is_unstarred() {
    let (url, _peer) = start_peer().await;
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "do", "provider": "digitalocean", "apisecret": TOKEN, "apiurl": url})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let images = || async {
        app.get_json(&format!("/backends/{b}/images"))
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let before = images().await;
    let list = before.as_array().unwrap();
    assert!(list.len() > 1, "{before}");
    assert!(list.iter().all(|i| i["star"] == false), "{before}");
    let last = list.last().unwrap()["id"].as_str().unwrap().to_owned();

    let star = format!("/backends/{b}/images/{last}");
    let res = app.api(Method::POST, &star, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"star": true}));
    let after = images().await;
    assert_eq!(after[0]["id"], last.as_str(), "starred first");
    assert_eq!(after[0]["star"], true);
    assert_eq!(after.as_array().unwrap().len(), list.len());
    let page = app
        .get_page(&format!("/backends/{b}/create"))
        .await
        .text()
        .await
        .unwrap();
    let first_option = page
        .split("<select name=\"image\"")
        .nth(1)
        .and_then(|s| s.split("<option").nth(1))
        .unwrap_or_default();
    assert!(first_option.contains('★'), "{first_option}");

    let res = app.api(Method::POST, &star, None).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"star": false}));
    assert!(images()
        .await
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["star"] == false));

    let res = app.api(Method::POST, "/backends/nope/images/x", None).await;
    assert_eq!(res.status(), 404);
}
