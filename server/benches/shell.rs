//! Prints the shell's figures against a real sshd on loopback: time from
//! asking to run a command to its first output byte, next to OpenSSH's
//! `ssh host true` on the same sshd; output throughput of 50 MB through the
//! streamed shell route; memory per open terminal with 200 open at once.
//! Run: `cargo bench -p server --bench shell` (needs /usr/sbin/sshd and ssh).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    process::Command,
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use server::config::Settings;
use ssh::{testing::Sshd, KeyAlgorithm, KeyPair};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "a benchmark password";
const TERMINALS: usize = 200;

fn main() {
    let Some(sshd) = Sshd::start() else { return };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(sshd));
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
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

async fn run(sshd: Sshd) {
    let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    sshd.authorize(&key.public_openssh());
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("id_ed25519");
    std::fs::write(&key_file, key.private_openssh()).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&key_file).unwrap().permissions(),
        0o600,
    );
    let _ = Command::new("chmod").arg("600").arg(&key_file).status();

    let mut settings =
        Settings::for_data_dir(dir.path().join("data"), "127.0.0.1:0".parse().unwrap());
    settings.max_shell_sessions = TERMINALS + 10;
    let running = server::start(settings).await.unwrap();
    let base = format!("http://{}", running.addr);
    let services = running.state.services.clone();
    service::accounts::create_master(&services, EMAIL, PASSWORD, "bench")
        .await
        .unwrap();
    let auth = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{EMAIL}:{PASSWORD}")
        )
    );
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client
            .request(method, format!("{base}{path}"))
            .header("authorization", &auth)
            .json(&body)
            .send()
    };
    // A token, so the terminals below don't pay argon2 each.
    let token: Value = call(reqwest::Method::POST, "/tokens", json!({"name": "bench"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = format!("Token {}", token["token"].as_str().unwrap());
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client
            .request(method, format!("{base}{path}"))
            .header("authorization", &token)
            .json(&body)
            .send()
    };
    let res = call(
        reqwest::Method::PUT,
        "/keys",
        json!({"id": "bench", "priv": key.private_openssh()}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let backend: Value = call(
        reqwest::Method::POST,
        "/backends",
        json!({"title": "bench", "provider": "bare_metal", "machine_ip": "127.0.0.1",
               "machine_key": "bench", "machine_user": sshd.user, "machine_port": sshd.port}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let b = backend["id"].as_str().unwrap().to_owned();
    let machines: Value = call(
        reqwest::Method::GET,
        &format!("/backends/{b}/machines"),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let m = machines[0]["id"].as_str().unwrap().to_owned();
    let shell_url = format!("{base}/backends/{b}/machines/{m}/shell");

    // 1. First output byte, against OpenSSH connecting and running `true`.
    let mut ours = Vec::new();
    let mut openssh = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut res = client
            .get(&shell_url)
            .header("authorization", &token)
            .query(&[("command", "echo x")])
            .send()
            .await
            .unwrap();
        loop {
            let chunk = res.chunk().await.unwrap().unwrap();
            if String::from_utf8_lossy(&chunk).contains("appendShell") {
                break;
            }
        }
        ours.push(t.elapsed());
        while res.chunk().await.unwrap().is_some() {}

        let t = Instant::now();
        let status = Command::new("ssh")
            .args([
                "-q",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=no",
            ])
            .args(["-o", "UserKnownHostsFile=/dev/null", "-i"])
            .arg(&key_file)
            .args(["-p", &sshd.port.to_string()])
            .arg(format!("{}@127.0.0.1", sshd.user))
            .arg("true")
            .status()
            .unwrap();
        assert!(status.success());
        openssh.push(t.elapsed());
    }
    let (ours, openssh) = (median(ours), median(openssh));
    println!(
        "run -> first output byte: median {ours:?}; OpenSSH `ssh host true`: median {openssh:?}; ratio {:.2}",
        ours.as_secs_f64() / openssh.as_secs_f64()
    );

    // 2. Throughput of 50 MB of output through the streamed route.
    let t = Instant::now();
    let mut res = client
        .get(&shell_url)
        .header("authorization", &token)
        .query(&[("command", "yes | head -c 50000000")])
        .send()
        .await
        .unwrap();
    let mut wire = 0usize;
    while let Some(chunk) = res.chunk().await.unwrap() {
        wire += chunk.len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "yes | head -c 50M through the shell route: {secs:.2} s, {:.1} MB/s of output ({:.1} MB on the wire, escaped)",
        50.0 / secs,
        wire as f64 / 1e6
    );

    // 3. Memory per open terminal, 200 at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib();
    let mut sockets = Vec::new();
    let t = Instant::now();
    for _ in 0..TERMINALS {
        let mut req = format!("ws://{}/backends/{b}/machines/{m}/terminal", running.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("authorization", HeaderValue::from_str(&token).unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        // Wait for the prompt, so the session is really open.
        loop {
            match socket.next().await {
                Some(Ok(Message::Binary(_))) => break,
                Some(Ok(Message::Text(t))) => panic!("terminal refused: {t}"),
                Some(Ok(_)) => {}
                other => panic!("terminal closed: {other:?}"),
            }
        }
        sockets.push(socket);
    }
    let opened = t.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib();
    println!(
        "{TERMINALS} terminals open (in {opened:.1?}): RSS {} KiB -> {} KiB, {:.1} KiB per terminal (server and test client in one process)",
        before,
        after,
        (after.saturating_sub(before)) as f64 / TERMINALS as f64
    );
    for mut s in sockets {
        let _ = s.send(Message::Close(None)).await;
    }
    running.stop().await;
}
