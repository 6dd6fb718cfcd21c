//! Prints the fleet table's figures with the server started in-process on
//! SQLite and 10,000 machines on 10 backends:
//! 1. the first Machines page at `per_page=50`: server time (median of 5
//!    after a warm-up) and bytes of the server function `machines/fleet`,
//!    of `GET /machines` as JSON, and of the server-rendered page
//!    `GET /machines` (as a browser asks for it); the whole list
//!    (`machines/list`) beside them, as the page read it before;
//! 2. the process's resident memory before and after 5 full walks through
//!    the fleet's pages (500 a page), then after 5 whole lists;
//! 3. a poll's write of one backend's 1,000 machines (`replace_machines`,
//!    the time its write transaction holds SQLite's lock): found
//!    unchanged, and with 10 of them changed (median of 5 each).
//!
//! The client runs in the same process. Run:
//! `cargo bench -p server --bench fleet`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use server::config::Settings;
use store::backends::StoredMachine;

#[path = "../tests/api/fleet/stored_backend.rs"]
mod stored_backend;
use stored_backend::do_backend;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a benchmark password";
const BACKENDS: usize = 10;
const PER_BACKEND: usize = 1_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
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

fn machines(b: &str) -> Vec<StoredMachine> {
    (0..PER_BACKEND)
        .map(|n| StoredMachine {
            backend_id: b.into(),
            id: format!("{b}-m{n:04}"),
            name: format!("web-{b}-{n:04}"),
            state: ["running", "running", "stopped", "error"][n % 4].into(),
            public_ips: format!("[\"10.0.{}.{}\"]", n / 250, n % 250),
            private_ips: "[\"192.168.0.1\"]".into(),
            ssh_port: 22,
            extra: serde_json::json!({
                "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "location": "ams3",
                "tags": ["env=prod", format!("team={}", n % 7)], "provider": {"id": n},
            })
            .to_string(),
            seen_at: 1_700_000_000_000 + n as i64,
        })
        .collect()
}

/// `GET url` 6 times (the first a warm-up): the median time of the other
/// 5 and the bytes of the answer.
async fn timed(client: &reqwest::Client, url: &str, accept: &str) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut bytes = 0;
    for i in 0..6 {
        let t = Instant::now();
        let res = client
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        bytes = res.bytes().await.unwrap().len();
        if i > 0 {
            times.push(t.elapsed());
        }
    }
    times.sort();
    (times[times.len() / 2], bytes)
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings =
        Settings::for_data_dir(dir.path().join("data"), "127.0.0.1:0".parse().unwrap());
    // The render's cost each time, not a kept page's (scripts/bench/serve_cost.sh has both).
    settings.page_cache_ms = 0;
    let running = server::start(settings).await.unwrap();
    let services = running.state.services.clone();
    let base = format!("http://{}", running.addr);
    service::accounts::create_master(&services, EMAIL, PASSWORD, "bench")
        .await
        .unwrap();
    for b in 0..BACKENDS {
        let id = format!("b{b}");
        services
            .db
            .insert_backend(
                &do_backend(&id, &format!("cloud {id}"), false),
                &machines(&id),
            )
            .await
            .unwrap();
    }
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let total = BACKENDS * PER_BACKEND;
    println!("{total} machines on {BACKENDS} backends, SQLite");

    // 1. The first page.
    for (what, path, accept) in [
        (
            "server fn machines/fleet, per_page=50",
            "/api/machines/fleet?per_page=50",
            "application/json",
        ),
        (
            "REST GET /machines, per_page=50",
            "/machines?per_page=50",
            "application/json",
        ),
        (
            "SSR page GET /machines, per_page=50",
            "/machines?per_page=50",
            "text/html",
        ),
        (
            "the whole list, machines/list (before paging)",
            "/api/machines/list",
            "application/json",
        ),
    ] {
        let (time, bytes) = timed(&client, &format!("{base}{path}"), accept).await;
        println!(
            "{what}: {:.1} ms, {:.1} KB",
            time.as_secs_f64() * 1000.0,
            bytes as f64 / 1000.0
        );
    }
    let (time, _) = timed(
        &client,
        &format!("{base}/api/machines/fleet?per_page=50&q=web-b7-09&sort=age&desc=1&state=running"),
        "application/json",
    )
    .await;
    println!(
        "server fn with a search, a state and age descending: {:.1} ms",
        time.as_secs_f64() * 1000.0
    );

    // 2. Memory.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib();
    let t = Instant::now();
    for _ in 0..5 {
        let mut seen = 0;
        for page in 1..=total.div_ceil(500) {
            let res = client
                .get(format!(
                    "{base}/api/machines/fleet?per_page=500&page={page}"
                ))
                .send()
                .await
                .unwrap();
            let page: serde_json::Value = res.json().await.unwrap();
            seen += page["rows"].as_array().unwrap().len();
        }
        assert_eq!(seen, total);
    }
    let walked = rss_kib();
    println!(
        "5 walks through every page (500 a page): {:.1} s; RSS {:.1} MiB before, {:.1} MiB after",
        t.elapsed().as_secs_f64(),
        before as f64 / 1024.0,
        walked as f64 / 1024.0
    );
    let t = Instant::now();
    for _ in 0..5 {
        let res = client
            .get(format!("{base}/api/machines/list"))
            .send()
            .await
            .unwrap();
        let list: serde_json::Value = res.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), total);
    }
    println!(
        "5 whole lists (machines/list): {:.1} s; RSS {:.1} MiB after",
        t.elapsed().as_secs_f64(),
        rss_kib() as f64 / 1024.0
    );

    // 3. A poll's write.
    for (what, changed) in [("unchanged", 0), ("10 changed", 10)] {
        let mut times = Vec::new();
        for round in 0..6 {
            let mut listed = machines("b3");
            for m in listed.iter_mut().take(changed) {
                m.state = format!("state-{round}");
            }
            for m in &mut listed {
                m.seen_at += 60_000 * (round + 1);
            }
            let t = Instant::now();
            services.db.replace_machines("b3", &listed).await.unwrap();
            if round > 0 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        println!(
            "a poll's write of 1,000 machines, {what}: {:.1} ms",
            times[times.len() / 2].as_secs_f64() * 1000.0
        );
    }
    running.stop().await;
}
