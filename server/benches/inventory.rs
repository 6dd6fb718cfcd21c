//! Prints the inventory's figures with the server started in-process:
//! 1. polling 10 DigitalOcean backends whose providers (loopback stand-ins
//!    serving Libcloud's recorded droplet list) each answer after 300 ms:
//!    all 10 through `service::jobs::polls::poll_due` (as the server's poller
//!    runs them, concurrently) against the same 10 polled one after
//!    another; then the REST list `GET /backends/{id}/machines` for all 10
//!    and the machines page's data (`GET /api/machines/list`), answered
//!    from the database;
//! 2. memory with 10,000 machines: RSS before and after storing 10,000
//!    machines (1,000 on each backend, through the store) and after
//!    listing them all through the REST list and the page's data.
//!
//! Run: `cargo bench -p server --bench inventory` (needs nothing else).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::{extract::Request, http::StatusCode, response::IntoResponse, Router};
use futures_util::future::join_all;
use serde::de::IgnoredAny;
use serde_json::{json, Value};
use server::config::Settings;
use service::{jobs::JobContext, polling};
use store::backends::StoredMachine;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a benchmark password";
const DROPLETS: &str =
    include_str!("../../cloud/tests/fixtures/libcloud/digitalocean_v2/list_nodes.json");
const BACKENDS: usize = 10;
const DELAY: Duration = Duration::from_millis(300);
const MACHINES: usize = 10_000;
const RUNS: usize = 5;
/// The backends' poll interval: a day, so the server's own poller leaves
/// them alone while the bench polls them on a clock turned forward.
const DAY_MS: i64 = 86_400_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A DigitalOcean stand-in that answers every request after [`DELAY`].
async fn slow_peer() -> String {
    async fn answer(req: Request) -> axum::response::Response {
        tokio::time::sleep(DELAY).await;
        match req.uri().path() {
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
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, Router::new().fallback(answer)).await;
    });
    url
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let settings = Settings::for_data_dir(data.clone(), "127.0.0.1:0".parse().unwrap());
    let running = server::start(settings).await.unwrap();
    let base = format!("http://{}", running.addr);
    let services = running.state.services.clone();
    service::accounts::create_master(&services, EMAIL, PASSWORD, "bench")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{EMAIL}:{PASSWORD}")
        )
    );
    // A token, so requests don't pay argon2 each.
    let token: Value = client
        .post(format!("{base}/tokens"))
        .header("authorization", &basic)
        .json(&json!({"name": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = format!("Token {}", token["token"].as_str().unwrap());
    let get = |path: String| {
        let req = client
            .get(format!("{base}{path}"))
            .header("authorization", &token)
            .header("accept", "application/json");
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            // Counted, not kept: the client's share of the memory stays small.
            let body = res.bytes().await.unwrap();
            serde_json::from_slice::<Vec<IgnoredAny>>(&body)
                .unwrap()
                .len()
        }
    };

    // Ten backends, each on its own slow peer, added at once.
    let mut peers = Vec::new();
    for _ in 0..BACKENDS {
        peers.push(slow_peer().await);
    }
    let t = Instant::now();
    let added = join_all(peers.iter().enumerate().map(|(n, url)| {
        let req = client
            .post(format!("{base}/backends"))
            .header("authorization", &token)
            .json(
                &json!({"title": format!("slow {n}"), "provider": "digitalocean",
                          "apisecret": "t", "apiurl": url, "poll_interval": DAY_MS}),
            );
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
            res.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    }))
    .await;
    println!(
        "add {BACKENDS} backends at once through POST /backends (check + first list, 300 ms each): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let ids: Vec<String> = added;

    // 1a. All ten polled through the poller's scheduler, on a clock a few
    // days ahead (so they are due for it and for nothing else).
    let mut concurrent = Vec::new();
    for run in 1..=RUNS as i64 {
        let offset = run * 2 * DAY_MS;
        let ahead = services
            .clone()
            .with_clock(move || store::now_ms() + offset);
        let t = Instant::now();
        let started = service::jobs::polls::poll_due(&JobContext::new(&ahead)).await;
        assert_eq!(started, BACKENDS);
        // Each poll holds its backend's ("poll", id) lease until it has
        // recorded the backend's state.
        loop {
            let mut held = 0;
            for id in &ids {
                held += usize::from(services.db.lease("poll", id).await.unwrap().is_some());
            }
            if held == 0 {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "{held} polls still under way"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let backends = services.db.backends().await.unwrap();
        assert!(backends.iter().all(|b| b.state == "online"), "{backends:?}");
        concurrent.push(t.elapsed());
    }
    let concurrent = median(concurrent);
    let backends = services.db.backends().await.unwrap();
    let t = Instant::now();
    for b in &backends {
        polling::poll(&services, b).await.unwrap();
    }
    let sequential = t.elapsed();
    println!(
        "poll {BACKENDS} backends (300 ms each): {:.2} s (median of {RUNS}, poll_due to every backend refreshed); one after another: {:.2} s",
        concurrent.as_secs_f64(),
        sequential.as_secs_f64()
    );

    // 1b. Lists answer from the database.
    let lists = |label: &'static str| {
        let ids = ids.clone();
        let get = &get;
        async move {
            let mut one = Vec::new();
            let mut all_ten = Vec::new();
            let mut page = Vec::new();
            let mut listed = 0;
            let mut on_page = 0;
            for _ in 0..RUNS {
                let t = Instant::now();
                listed = 0;
                for id in &ids {
                    let t1 = Instant::now();
                    listed += get(format!("/backends/{id}/machines")).await;
                    one.push(t1.elapsed());
                }
                all_ten.push(t.elapsed());
                let t = Instant::now();
                on_page = get("/api/machines/list".into()).await;
                page.push(t.elapsed());
            }
            let one_by_one = rss_kib();
            let t = Instant::now();
            join_all(ids.iter().map(|id| get(format!("/backends/{id}/machines")))).await;
            let at_once = t.elapsed();
            println!(
                "list machines, {label}: GET /backends/{{id}}/machines for all {BACKENDS}: {} one after another ({} each, {listed} machines), {} all at once; machines page data (GET /api/machines/list, {on_page} machines): {}",
                ms(median(all_ten)),
                ms(median(one)),
                ms(at_once),
                ms(median(page)),
            );
            (one_by_one, rss_kib())
        }
    };
    lists("1 machine a backend").await;

    // 2. Memory with 10,000 machines.
    let template = services.db.machines().await.unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib();
    let t = Instant::now();
    for (b, id) in ids.iter().enumerate() {
        let machines: Vec<StoredMachine> = (0..MACHINES / BACKENDS)
            .map(|n| StoredMachine {
                backend_id: id.clone(),
                id: format!("{}{b:02}{n:04}", template.id),
                name: format!("{}-{b}-{n}", template.name),
                ..template.clone()
            })
            .collect();
        services.db.replace_machines(id, &machines).await.unwrap();
    }
    let stored_in = t.elapsed();
    let loaded = rss_kib();
    let (listed, at_once) = lists("1,000 machines a backend").await;
    let db_bytes: u64 = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".db"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{MACHINES} machines stored through replace_machines in {:.2} s; database files {:.1} MiB ({:.0} bytes a machine)",
        stored_in.as_secs_f64(),
        db_bytes as f64 / 1_048_576.0,
        db_bytes as f64 / MACHINES as f64,
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    let grew = |kib: u64| {
        let kib = kib.saturating_sub(before);
        format!(
            "+{:.1} MiB, {:.0} bytes a machine",
            mib(kib),
            (kib * 1024) as f64 / MACHINES as f64
        )
    };
    println!(
        "RSS with {MACHINES} machines (server and bench client in one process): {:.1} MiB before storing; {:.1} MiB stored ({}); {:.1} MiB after listing them one backend at a time and the page's data, 5 times ({}); {:.1} MiB after the {BACKENDS} backend lists at once ({})",
        mib(before),
        mib(loaded),
        grew(loaded),
        mib(listed),
        grew(listed),
        mib(at_once),
        grew(at_once),
    );
    running.stop().await;
}
