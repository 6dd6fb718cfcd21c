//! Event latency across instances: a backend renamed through instance A's
//! own port (`PUT /backends/{id}`, announced as `backend.changed`) and the
//! time until a signed-in browser's event stream receives it, on A itself,
//! on instance B (PostgreSQL `NOTIFY`, B's pump reading the row) and
//! through nginx (whichever instance nginx gave the stream to).

use std::{
    collections::HashSet,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::harness::{
    sse::{Frame, SseReader},
    Cluster,
};

/// Renames measured, after [`WARM_UP`] unmeasured ones.
const SAMPLES: usize = 200;
const WARM_UP: usize = 10;
/// Between one rename's last delivery and the next rename.
const PAUSE: Duration = Duration::from_millis(20);

/// One delivery: the stream, the title the event carried, when it was read
/// (monotonic and Unix ms) and the event's own `at` (Unix ms, when A
/// stored it).
struct Seen {
    stream: usize,
    title: String,
    read: Instant,
    read_ms: i64,
    at: i64,
}

/// The streams: on A and on B directly, then three through nginx (its
/// round robin gives one to each instance).
const STREAMS: usize = 5;
const THROUGH_NGINX: usize = 2;

pub async fn latency() {
    let (cluster, _provider, backend) = super::cluster_with_backend(3, 60_000).await;
    let browser = cluster.sign_in().await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let events = "/events?topics=backend";
    let mut urls = vec![a.url(events), b.url(events)];
    urls.resize(STREAMS, cluster.nginx.url(events));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut readers = Vec::new();
    for (stream, url) in urls.iter().enumerate() {
        let reader = SseReader::send(browser.client.get(url)).await;
        readers.push(tokio::spawn(read(stream, reader, tx.clone())));
    }
    let put = reqwest::Client::new();
    let rename = a.url(&format!("/backends/{backend}"));
    let mut from_sent: Vec<Vec<Duration>> = vec![Vec::new(); STREAMS];
    let mut from_stored: Vec<Vec<i64>> = vec![Vec::new(); STREAMS];
    let mut answered = Vec::new();
    let mut missed = 0;
    for n in 0..WARM_UP + SAMPLES {
        let title = format!("do {n}");
        let sent = Instant::now();
        let res = put
            .request(Method::PUT, &rename)
            .header("authorization", &cluster.token)
            .header("accept", "application/json")
            .json(&json!({ "new_name": title }))
            .send()
            .await
            .unwrap();
        let answer = sent.elapsed();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let mut waiting: HashSet<usize> = (0..STREAMS).collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !waiting.is_empty() {
            let Ok(Some(seen)) = tokio::time::timeout_at(deadline, rx.recv()).await else {
                missed += waiting.len();
                break;
            };
            if seen.title != title || !waiting.remove(&seen.stream) {
                continue;
            }
            if n >= WARM_UP {
                from_sent[seen.stream].push(seen.read - sent);
                from_stored[seen.stream].push(seen.read_ms - seen.at);
            }
        }
        if n >= WARM_UP {
            answered.push(answer);
        }
        tokio::time::sleep(PAUSE).await;
    }
    // nginx logs a stream once it ends: closed one at a time, the last
    // lines name the instance that carried each.
    for r in &readers {
        r.abort();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let carried = nginx_upstreams(&cluster, STREAMS - THROUGH_NGINX);
    let names: Vec<String> = ["on A (same instance)", "on B (other instance)"]
        .into_iter()
        .map(str::to_owned)
        .chain(carried.iter().map(|to| format!("through nginx, to {to}")))
        .collect();

    println!(
        "event latency, {SAMPLES} renames of a backend through A's port \
         (PUT answered in p50 {}, p99 {}); {missed} deliveries missed",
        ms(percentile(&mut answered, 0.5)),
        ms(percentile(&mut answered, 0.99)),
    );
    println!(
        "stream                      | from the PUT sent (p50 / p99) | \
         from A storing it, event `at` (p50 / p99)"
    );
    for (s, name) in names.iter().enumerate() {
        let stored = &mut from_stored[s];
        stored.sort_unstable();
        let stored_pct = |p: f64| {
            stored
                .get(((stored.len().max(1) - 1) as f64 * p) as usize)
                .map_or_else(|| "-".into(), |v| format!("{v} ms"))
        };
        println!(
            "{name:27} | {:>13} / {:>13} | {:>20} / {:>18}",
            ms(percentile(&mut from_sent[s], 0.5)),
            ms(percentile(&mut from_sent[s], 0.99)),
            stored_pct(0.5),
            stored_pct(0.99),
        );
    }
    cluster.finish().await;
}

/// Reads `reader`'s events, sending each `backend.changed` as [`Seen`].
async fn read(stream: usize, mut reader: SseReader, tx: mpsc::UnboundedSender<Seen>) {
    loop {
        match reader.next_frame(Duration::from_secs(3600)).await {
            Frame::Event(e) => {
                let (read, read_ms) = (Instant::now(), unix_ms());
                if e.event != "backend.changed" {
                    continue;
                }
                let body: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                let seen = Seen {
                    stream,
                    title: body["data"]["title"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    read,
                    read_ms,
                    at: body["at"].as_i64().unwrap_or_default(),
                };
                if tx.send(seen).is_err() {
                    return;
                }
            }
            Frame::Silent => {}
            Frame::Ended => return,
        }
    }
}

/// The instances ("A", "B", "C") nginx gave the last `n` (ended) streams.
fn nginx_upstreams(cluster: &Cluster, n: usize) -> Vec<String> {
    let tried = cluster.nginx.upstreams_of("/events");
    let name = |upstream: &str| {
        cluster
            .instances
            .iter()
            .position(|i| upstream.ends_with(&format!(":{}", i.port)))
            .map_or_else(|| upstream.to_owned(), |k| ["A", "B", "C"][k.min(2)].into())
    };
    let mut names: Vec<String> = tried
        .iter()
        .rev()
        .take(n)
        .map(|t| t.last().map_or_else(|| "?".into(), |u| name(u)))
        .collect();
    names.reverse();
    names.resize(n, "?".into());
    names
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples
        .get(((samples.len().max(1) - 1) as f64 * p) as usize)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
