//! Prints what several instances give on this machine (figures, never
//! asserted): requests per second through nginx with one and with three
//! `overcast serve` processes on one PostgreSQL database, for
//! 1. `GET /backends` with an API token, and
//! 2. the Machines page (`GET /machines`, 20 machines) as a signed-in
//!    browser,
//!
//! measured by `wrk` (2 threads, 32 connections, 10 s after a 2 s warm-up);
//! then, with three instances, how long a killed (SIGKILL) poller's backend
//! waits for another instance, and a stopped (SIGTERM) one's; and how long a
//! change made through instance A takes to reach a signed-in browser's event
//! stream (`GET /events`) on A itself, on instance B, and through nginx
//! (p50/p99 of 200 renames of a backend through A's port, each announced as
//! `backend.changed`).
//!
//! Run: `cargo bench -p server --bench cluster` (or one part:
//! `-- throughput`, `-- takeover`, `-- events`) with
//! `OVERCAST_TEST_POSTGRES_URL` set (as scripts/test.sh sets it) and
//! Debian's `nginx` and `wrk` installed. It runs the same harness as the
//! cluster test (server/tests/cluster/harness).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/cluster/harness/mod.rs"]
#[allow(dead_code)]
mod harness;

#[path = "cluster/events.rs"]
mod events;

use std::{
    process::Command,
    time::{Duration, Instant},
};

use harness::{provider::Provider, Cluster, Options};
use reqwest::Method;
use serde_json::json;

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is missing: apt-get install wrk");
        std::process::exit(1);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    rt.block_on(async {
        if part("throughput") {
            println!("instances | GET /backends (token) rps | GET /machines (page) rps");
            for n in [1, 3] {
                let (backends, page) = throughput(n).await;
                println!("{n:9} | {backends:>26} | {page:>25}");
            }
        }
        if part("takeover") {
            takeover().await;
        }
        if part("events") {
            events::latency().await;
        }
    });
}

/// A cluster of `n` with a DigitalOcean backend of 20 droplets, polled
/// once a minute (so polls weigh nothing here).
async fn cluster_with_backend(n: usize, interval_ms: u64) -> (Cluster, Provider, String) {
    let options = Options {
        instances: n,
        ..Options::default()
    };
    let cluster = Cluster::start(options).await.expect("PostgreSQL and nginx");
    let provider = Provider::start(20, Duration::from_millis(300)).await;
    let res = cluster
        .api(Method::POST, &cluster.nginx.url("/backends"))
        .json(&json!({"title": "do", "provider": "digitalocean",
            "apisecret": harness::provider::TOKEN, "apiurl": provider.url,
            "poll_interval": interval_ms}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (cluster, provider, id)
}

async fn throughput(n: usize) -> (String, String) {
    let (cluster, _provider, _) = cluster_with_backend(n, 60_000).await;
    let browser = cluster.sign_in().await;
    let page = browser
        .client
        .get(cluster.nginx.url("/machines"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("web-019"), "the page lists the machines");
    let backends = wrk(
        &cluster.nginx.url("/backends"),
        &[
            format!("Authorization: {}", cluster.token),
            "Accept: application/json".into(),
        ],
    );
    let machines = wrk(
        &cluster.nginx.url("/machines"),
        &[
            format!("Cookie: {}", browser.cookie_header()),
            "Accept: text/html".into(),
        ],
    );
    cluster.finish().await;
    (backends, machines)
}

/// Runs wrk against `url`; "<rps> (p50 <latency>, <errors>)".
fn wrk(url: &str, headers: &[String]) -> String {
    let run = |secs: &str| {
        let mut cmd = Command::new("wrk");
        cmd.args(["-t2", "-c32", "-d", secs, "--latency"]);
        for h in headers {
            cmd.args(["-H", h]);
        }
        let out = cmd.arg(url).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run("2s");
    let text = run("10s");
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
    };
    let rps = field("Requests/sec:").unwrap_or_else(|| panic!("wrk said: {text}"));
    let p50 = field("50%").unwrap_or_default();
    let bad = field("Non-2xx or 3xx responses:").unwrap_or_else(|| "0".into());
    format!("{rps} (p50 {p50}, {bad} non-2xx)")
}

/// Kills the poller mid-poll, then stops the next one: how long the
/// backend waited for another instance each time.
async fn takeover() {
    let (mut cluster, provider, backend) = cluster_with_backend(3, 2_000).await;
    let pool = cluster.db.pool().await;
    for signal in ["SIGKILL", "SIGTERM"] {
        let seen = provider.polls().len();
        let started = provider
            .next_poll(seen, Duration::from_secs(10))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let owner = owner(&pool, &backend).await;
        let at = Instant::now();
        let instance = cluster.by_id(&owner);
        if signal == "SIGKILL" {
            instance.kill();
        } else {
            instance.terminate().await;
        }
        let next = provider
            .next_poll(seen + 1, Duration::from_secs(30))
            .await
            .unwrap();
        println!(
            "{signal} of the poller mid-poll: the next poll, by another instance, {:.1} s after \
             the signal ({:.1} s after the interrupted poll began; interval 2 s, poll lease 12 s)",
            (next - at).as_secs_f64(),
            (next - started).as_secs_f64()
        );
    }
    pool.close().await;
    cluster.finish().await;
}

async fn owner(pool: &sqlx::AnyPool, backend: &str) -> String {
    use sqlx::Row;
    sqlx::query("SELECT owner FROM leases WHERE kind = 'poll' AND key = $1")
        .bind(backend)
        .fetch_one(pool)
        .await
        .unwrap()
        .get("owner")
}
