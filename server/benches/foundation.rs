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
    credential_throughput(&client, &base).await;
    health_under_basic_load(&base).await;
    running.stop().await;
}

/// A credential kind: its name, the client that carries it, and its header.
type CredentialKind<'a> = (&'a str, &'a reqwest::Client, Option<(&'a str, String)>);

/// Requests per second of an authenticated GET (`/v3/user/role`) with each
/// kind of credential, one request at a time on a keep-alive connection.
async fn credential_throughput(session: &reqwest::Client, base: &str) {
    let anon = reqwest::Client::new();
    let token: serde_json::Value = anon
        .post(format!("{base}/auth"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["mist_api_token"].as_str().unwrap().to_owned();
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{PASSWORD}"))
    );
    let kinds: [CredentialKind; 4] = [
        ("cookie session", session, None),
        (
            "Token",
            &anon,
            Some(("authorization", format!("Token {token}"))),
        ),
        (
            "Bearer",
            &anon,
            Some(("authorization", format!("Bearer {token}"))),
        ),
        (
            "Basic (argon2id per request)",
            &anon,
            Some(("authorization", basic)),
        ),
    ];
    for (name, client, header) in kinds {
        let n = if name.starts_with("Basic") { 40 } else { 500 };
        let started = Instant::now();
        for _ in 0..n {
            let mut req = client.get(format!("{base}/v3/user/role"));
            if let Some((h, v)) = &header {
                req = req.header(*h, v);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200, "{name}");
            res.bytes().await.unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "authenticated GET with {name}: {:.0} requests/s ({n} requests)",
            f64::from(n) / secs
        );
    }
}

/// `/healthz` latency while four clients send HTTP Basic requests (each an
/// argon2id verification) as fast as they are answered: the verifications
/// run on blocking threads, so the async workers keep answering.
async fn health_under_basic_load(base: &str) {
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{PASSWORD}"))
    );
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (base, basic, stop) = (base.to_owned(), basic.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut done = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let res = client
                    .get(format!("{base}/v3/user/role"))
                    .header("authorization", &basic)
                    .send()
                    .await
                    .unwrap();
                res.bytes().await.unwrap();
                done += 1;
            }
            done
        }));
    }
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let started = Instant::now();
    for _ in 0..200 {
        let t = Instant::now();
        let res = client.get(format!("{base}/healthz")).send().await.unwrap();
        res.bytes().await.unwrap();
        times.push(t.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut basic_done = 0;
    for task in load {
        basic_done += task.await.unwrap();
    }
    times.sort();
    println!(
        "/healthz under HTTP Basic load ({:.0} Basic requests/s from 4 clients): median {:?}, p99 {:?}",
        f64::from(basic_done) / secs,
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
}
