//! Prints the event path's figures with the server started in-process on
//! SQLite, 10,000 machines on 10 backends and 20 open Machines pages:
//! 1. before: each page reads the whole list every 5 s (what the page did
//!    until it followed events): process CPU seconds per minute;
//! 2. after: each page holds an event stream (`GET /events`) while polls
//!    change 1 % of one backend's machines every second: process CPU
//!    seconds per minute, and the latency from the poll storing the change
//!    to each page's stream delivering it (p50, p99).
//!
//! The clients run in the same process and only count bytes, so the CPU
//! figures include their reading. Run: `cargo bench -p server --bench events`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use server::config::Settings;
use store::backends::{StoredBackend, StoredMachine};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a benchmark password";
const BACKENDS: usize = 10;
const PER_BACKEND: usize = 1_000;
const PAGES: usize = 20;
const WINDOW: Duration = Duration::from_secs(20);

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

/// This process's user + system CPU time.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

fn per_minute(cpu: Duration, over: Duration) -> f64 {
    cpu.as_secs_f64() * 60.0 / over.as_secs_f64()
}

fn backend(id: &str) -> StoredBackend {
    StoredBackend {
        id: id.into(),
        title: format!("rack {id}"),
        provider: "bare_metal".into(),
        region: None,
        apikey: None,
        apiurl: None,
        config: "{}".into(),
        secret_sealed: None,
        enabled: true,
        state: "online".into(),
        state_reason: None,
        // A day: the server's own poller leaves them alone.
        poll_interval: 86_400_000,
        polled_at: Some(store::now_ms()),
        created_at: 1,
    }
}

fn machines(b: &str, state_of: impl Fn(usize) -> &'static str) -> Vec<StoredMachine> {
    (0..PER_BACKEND)
        .map(|n| StoredMachine {
            backend_id: b.into(),
            id: format!("{b}-m{n:04}"),
            name: format!("web-{b}-{n}"),
            state: state_of(n).into(),
            public_ips: format!("[\"10.0.{}.{}\"]", n / 250, n % 250),
            private_ips: "[]".into(),
            ssh_port: 22,
            extra: "{}".into(),
            seen_at: 1,
        })
        .collect()
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::for_data_dir(dir.path().join("data"), "127.0.0.1:0".parse().unwrap());
    let running = server::start(settings).await.unwrap();
    let services = running.state.services.clone();
    let base = format!("http://{}", running.addr);
    service::accounts::create_master(&services, EMAIL, PASSWORD, "bench")
        .await
        .unwrap();
    let ids: Vec<String> = (0..BACKENDS).map(|b| format!("b{b}")).collect();
    for id in &ids {
        services
            .db
            .insert_backend(&backend(id), &machines(id, |_| "running"))
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

    // 1. Before: every page reads the list every 5 s.
    let t = Instant::now();
    let c0 = cpu();
    let mut readers = Vec::new();
    for page in 0..PAGES {
        let (client, base) = (client.clone(), base.clone());
        readers.push(tokio::spawn(async move {
            // Spread over the 5 s, as pages opened at different times.
            tokio::time::sleep(Duration::from_millis(250 * page as u64)).await;
            let mut bytes = 0;
            while t.elapsed() < WINDOW {
                let res = client
                    .get(format!("{base}/api/machines/list"))
                    .send()
                    .await
                    .unwrap();
                bytes += res.bytes().await.unwrap().len();
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            bytes
        }));
    }
    let mut bytes = 0;
    for r in readers {
        bytes += r.await.unwrap();
    }
    let before = per_minute(cpu() - c0, t.elapsed());
    println!(
        "before (each of {PAGES} pages reads the {} machines every 5 s): {before:.2} CPU s a minute; {:.1} MB read a minute",
        BACKENDS * PER_BACKEND,
        bytes as f64 * 60.0 / t.elapsed().as_secs_f64() / 1e6
    );

    // 2. After: every page follows the event stream.
    let sent: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut streams = Vec::new();
    for _ in 0..PAGES {
        let res = client
            .get(format!("{base}/events?topics=machine,backend"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (sent, latencies) = (Arc::clone(&sent), Arc::clone(&latencies));
        streams.push(tokio::spawn(async move {
            let mut res = res;
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = res.chunk().await {
                let now = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) else {
                        continue;
                    };
                    let event: serde_json::Value = serde_json::from_str(data).unwrap();
                    // Each change's latency: from the write that carried it.
                    let name = event["data"]["name"].as_str().unwrap_or_default();
                    let Some(round) = name.rsplit('#').next().and_then(|r| r.parse::<i64>().ok())
                    else {
                        continue;
                    };
                    if let Some((_, at)) = sent.lock().unwrap().iter().find(|(r, _)| *r == round) {
                        latencies.lock().unwrap().push(now - *at);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t = Instant::now();
    let c0 = cpu();
    let mut round = 0_i64;
    while t.elapsed() < WINDOW {
        round += 1;
        let b = &ids[round as usize % BACKENDS];
        let stored = backend(b);
        // 1 % of the backend's machines change state and name.
        let changed: Vec<StoredMachine> = machines(b, |_| "running")
            .into_iter()
            .enumerate()
            .map(|(n, m)| {
                if n % 100 == (round as usize) % 100 {
                    StoredMachine {
                        state: "stopped".into(),
                        name: format!("{}#{round}", m.name),
                        ..m
                    }
                } else {
                    m
                }
            })
            .collect();
        sent.lock().unwrap().push((round, Instant::now()));
        let at = services.now();
        services
            .db
            .replace_machines_with_events(b, &changed, |diff| {
                service::events::rows(at, service::events::machine_changes(&stored, diff))
            })
            .await
            .unwrap();
        service::events::appended(&services);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let after = per_minute(cpu() - c0, t.elapsed());
    tokio::time::sleep(Duration::from_millis(500)).await;
    for s in &streams {
        s.abort();
    }
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 - 1.0) * p) as usize];
    println!(
        "after ({PAGES} pages on the event stream; {round} polls changing {} machines each): {after:.2} CPU s a minute; poll-to-stream latency p50 {:.1} ms, p99 {:.1} ms over {} deliveries",
        PER_BACKEND / 100 * 2,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        l.len()
    );
}
