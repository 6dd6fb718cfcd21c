//! The provider's price per hour in the fleet table: the sizes a backend
//! lists (the REST list, the create wizard) are remembered with their
//! prices, and each row shows its size's. The provider is DigitalOcean as
//! a small peer serving Libcloud's recorded answers (the droplet
//! `example.com` is of size `512mb`, listed at $0.00744 an hour), whose
//! size list the test can change.

use std::sync::{Arc, Mutex};

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use super::*;

const TOKEN: &str = "do-token-for-prices";

use crate::machines::digitalocean::recorded;

/// The peer's answer to `GET /v2/sizes`, which the test changes.
#[derive(Clone)]
struct Peer {
    sizes: Arc<Mutex<String>>,
}

fn answer(headers: &HeaderMap, body: String) -> Response {
    let authorised = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorised {
        return (StatusCode::UNAUTHORIZED, r#"{"id":"unauthorized"}"#).into_response();
    }
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

async fn start_peer() -> (String, Peer) {
    let peer = Peer {
        sizes: Arc::new(Mutex::new(recorded("list_sizes.json"))),
    };
    let fixed = |name: &'static str| {
        get(move |headers: HeaderMap| async move { answer(&headers, recorded(name)) })
    };
    let app = Router::new()
        .route(
            "/v2/account",
            get(|headers: HeaderMap| async move {
                answer(&headers, r#"{"account":{"status":"active"}}"#.into())
            }),
        )
        .route("/v2/droplets", fixed("list_nodes_page_1.json"))
        .route("/v2/images", fixed("list_images.json"))
        .route("/v2/regions", fixed("list_locations.json"))
        .route(
            "/v2/sizes",
            get(|State(peer): State<Peer>, headers: HeaderMap| async move {
                let body = peer.sizes.lock().unwrap().clone();
                answer(&headers, body)
            }),
        )
        .with_state(peer.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, peer)
}

/// Adds the DigitalOcean backend; its id once its droplets are listed.
async fn add_backend(app: &TestApp, url: &str) -> String {
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
    for _ in 0..100 {
        if !row(app, &b).await.is_null() {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the droplets of {b} were never listed");
}

/// The fleet row of the droplet `example.com` (null when not listed).
async fn row(app: &TestApp, b: &str) -> Value {
    let (page, _) = fleet(app, &format!("backend={b}")).await;
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["machine"]["name"] == "example.com")
        .cloned()
        .unwrap_or(Value::Null)
}

/// The sizes of the backend through the REST door.
async fn list_sizes(app: &TestApp, b: &str) -> Value {
    let res = app.get_json(&format!("/backends/{b}/sizes")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_row_shows_the_price_its_provider_listed_for_its_size() {
    on_each_engine(|app, engine| async move {
        let (url, peer) = start_peer().await;
        let b = add_backend(&app, &url).await;

        // Before the sizes were ever listed: no price.
        let before = row(&app, &b).await;
        assert_eq!(before["size"], "512mb", "{engine}: {before}");
        assert_eq!(before["price_hourly"], Value::Null, "{engine}");

        // Listed through REST: the row carries its size's price.
        let sizes = list_sizes(&app, &b).await;
        let listed = sizes
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "512mb")
            .unwrap_or_else(|| panic!("{sizes}"))["price_hourly"]
            .clone();
        assert_eq!(listed, json!(0.00744), "{engine}");
        assert_eq!(row(&app, &b).await["price_hourly"], listed, "{engine}");

        // The provider stops pricing that size: the next listing forgets
        // the price, and the row has none.
        let unpriced = recorded("list_sizes.json")
            .replace(r#""price_hourly": 0.00744"#, "\"price_hourly\": null");
        assert_ne!(unpriced, recorded("list_sizes.json"), "the fixture changed");
        *peer.sizes.lock().unwrap() = unpriced;
        let sizes = list_sizes(&app, &b).await;
        assert!(
            sizes
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == "512mb" && s["price_hourly"].is_null()),
            "{sizes}"
        );
        assert_eq!(row(&app, &b).await["price_hourly"], Value::Null, "{engine}");

        // Priced again, listed through the create wizard's server function:
        // the price is back. The other doors carry it as well.
        *peer.sizes.lock().unwrap() = recorded("list_sizes.json");
        let res = app
            .get_json(&format!("/api/backends/wizard?backend={b}&search="))
            .await;
        assert_eq!(res.status(), 200, "{engine}");
        assert_eq!(
            row(&app, &b).await["price_hourly"],
            json!(0.00744),
            "{engine}"
        );
        let res = app
            .client
            .get(app.url(&format!("/api/machines/fleet?backend={b}")))
            .send()
            .await
            .unwrap();
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["rows"][0]["price_hourly"], json!(0.00744), "{engine}");
    })
    .await;
}

#[tokio::test]
async fn a_size_listed_without_a_price_or_not_listed_has_none() {
    on_each_engine(|app, engine| async move {
        // Machines written straight to the store, of sizes `s-1vcpu-1gb`,
        // `s-2vcpu-2gb` and `s-4vcpu-8gb`; the provider listed the first
        // without a price, the second with one, and not the third.
        let seeds = [Seed::nth(0), Seed::nth(1), Seed::nth(2)];
        seed_backend(&app, "do-seeded", "Seeded", &seeds).await;
        let listed = [
            ("s-2vcpu-2gb".to_owned(), Some(0.03)),
            ("s-1vcpu-1gb".to_owned(), None),
        ];
        app.services()
            .db
            .replace_sizes("do-seeded", &listed, 1)
            .await
            .unwrap();
        let (page, _) = fleet(&app, "backend=do-seeded").await;
        let prices: Vec<(Value, Value)> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["size"].clone(), r["price_hourly"].clone()))
            .collect();
        assert_eq!(
            prices,
            [
                (json!("s-1vcpu-1gb"), Value::Null),
                (json!("s-2vcpu-2gb"), json!(0.03)),
                (json!("s-4vcpu-8gb"), Value::Null),
            ],
            "{engine}"
        );
    })
    .await;
}
