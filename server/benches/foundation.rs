//! Prints figures for the foundation: time from start to `/readyz` OK, and
//! the server time to render the signed-in home page (median and p95 over
//! 200 requests on one keep-alive connection). Run: `cargo bench -p server`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use server::config::Settings;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a benchmark password";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let settings = Settings::for_data_dir(dir.path().join("data"), "127.0.0.1:0".parse().unwrap());
    let running = server::start(settings).await.unwrap();
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!(
        "start to /readyz OK (fresh database, migrations included): {:?}",
        started.elapsed()
    );

    service::accounts::create_master(&running.state.services, EMAIL, PASSWORD, "bench")
        .await
        .unwrap();
    let res = client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());

    let mut times = Vec::with_capacity(200);
    for i in 0..220 {
        let t = Instant::now();
        let res = client
            .get(format!("{base}/"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body = res.bytes().await.unwrap();
        assert!(body.len() > 1000);
        if i >= 20 {
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!(
        "signed-in home page render, {} requests: median {:?}, p95 {:?}, min {:?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[0]
    );
    running.stop().await;
}
