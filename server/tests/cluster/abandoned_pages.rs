//! A page whose readers leave midway (a reload, a closed tab, a load tester
//! stopping) leaves no panic behind in the server: a Machines page of 300
//! machines is asked for 480 times by readers who leave after 2 to 182 ms,
//! and the process's log has no "already been disposed" (the server reads
//! an abandoned page to its end: `middleware::finish_render`).

use std::time::Duration;

use store::backends::StoredMachine;

#[path = "../api/fleet/stored_backend.rs"]
mod stored_backend;
use stored_backend::do_backend;

use crate::harness::{Cluster, Options};

/// A disabled backend (never polled) with `n` machines, written straight
/// into the database.
async fn seed(url: &str, n: usize) {
    let db = store::Db::connect(url).await.unwrap();
    let backend = do_backend("do-a", "Alpha", false);
    let machines: Vec<StoredMachine> = (0..n)
        .map(|i| StoredMachine {
            backend_id: "do-a".into(),
            id: format!("m{i:04}"),
            name: format!("web-{i:04}"),
            state: ["running", "stopped"][i % 2].into(),
            public_ips: format!("[\"10.0.{}.{}\"]", i / 256, i % 256),
            private_ips: "[]".into(),
            ssh_port: 22,
            extra: format!("{{\"size\": \"s-1vcpu-1gb\", \"tags\": [\"n={i}\"]}}"),
            seen_at: 1_700_000_000_000,
        })
        .collect();
    db.insert_backend(&backend, &machines).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_leaving_pages_midway_leave_no_panic_behind() {
    let Some(cluster) = Cluster::start(Options {
        instances: 1,
        // Every view rendered: a kept page would answer most of them whole.
        page_cache_ms: 0,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    seed(&cluster.db.url, 300).await;
    let browser = cluster.sign_in().await;
    let cookies = browser.cookie_header();
    let url = cluster.instances[0].url("/machines?per_page=500");
    for round in 0..48u64 {
        let leavers: Vec<_> = (0..10u64)
            .map(|n| {
                let (url, cookies) = (url.clone(), cookies.clone());
                tokio::spawn(async move {
                    let client = reqwest::Client::builder()
                        .timeout(Duration::from_millis(2 + 12 * ((round + n) % 16)))
                        .build()
                        .unwrap();
                    let sent = client
                        .get(url)
                        .header("accept", "text/html")
                        .header("cookie", cookies)
                        .send()
                        .await;
                    if let Ok(mut res) = sent {
                        let _ = res.chunk().await;
                    }
                })
            })
            .collect();
        for leaver in leavers {
            leaver.await.unwrap();
        }
    }
    // A reader who stays gets the whole page.
    let page = browser
        .client
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("web-0299"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let log = cluster.logs();
    let panics = log.matches("already been disposed").count();
    assert_eq!(panics, 0, "{panics} renders read disposed signals:\n{log}");
    cluster.finish().await;
}
