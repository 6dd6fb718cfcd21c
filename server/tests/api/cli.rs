//! The `overcast` binary itself: help, headless setup, and a kill at any
//! moment losing nothing that was committed.

use std::{
    io::Write,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::*;

fn overcast() -> Command {
    Command::new(env!("CARGO_BIN_EXE_overcast"))
}

#[test]
fn help_explains_every_subcommand_and_setting() {
    let out = overcast().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "admin",
        "--bind",
        "OVERCAST_BIND",
        "--data-dir",
        "OVERCAST_DATA_DIR",
        "--database-url",
        "DATABASE_URL",
        "--secret-key-file",
        "--log-level",
        "--public-url",
        "--site-root",
        "--provider-timeout",
        "--shutdown-grace",
        "OVERCAST_SHUTDOWN_GRACE",
    ] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    let out = overcast()
        .args(["admin", "create-master", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--password-stdin") && text.contains("--email"),
        "{text}"
    );
}

fn create_master(data: &std::path::Path, email: &str, password: &str) -> std::process::Output {
    let mut child = overcast()
        .args([
            "admin",
            "create-master",
            "--email",
            email,
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(data)
        .env("OVERCAST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn create_master_on_the_command_line_sets_up_a_headless_install() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = create_master(&data, "ops@example.com", MASTER_PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("overcast.db").exists());

    let again = create_master(&data, "other@example.com", MASTER_PASSWORD);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let short = create_master(&dir.path().join("d2"), "ops@example.com", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));

    let no_flag = overcast()
        .args([
            "admin",
            "create-master",
            "--email",
            "a@example.com",
            "--data-dir",
        ])
        .arg(dir.path().join("d3"))
        .output()
        .unwrap();
    assert!(!no_flag.status.success());
    assert!(String::from_utf8_lossy(&no_flag.stderr).contains("--password-stdin"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn killing_the_server_mid_write_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(create_master(&data, MASTER_EMAIL, MASTER_PASSWORD)
        .status
        .success());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let spawn = || {
        overcast()
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&data)
            .env("OVERCAST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut server = spawn();
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;

    // Sign-in attempts write the throttle table and the audit log; kill the
    // process while several are in flight.
    let mut writers = Vec::new();
    for i in 0..8 {
        let client = client.clone();
        let base = base.clone();
        writers.push(tokio::spawn(async move {
            for j in 0..50 {
                let _ = client
                    .post(format!("{base}/api/sign_in"))
                    .form(&[
                        ("email", format!("w{i}-{j}@example.com")),
                        ("password", "x".into()),
                    ])
                    .send()
                    .await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill().unwrap(); // SIGKILL: no shutdown code runs
    server.wait().unwrap();
    for w in writers {
        let _ = w.await;
    }

    let mut server = spawn();
    wait_ready(&client, &base).await;
    // The restarted server answers sign-in normally (or throttles the
    // address, if the failures before the kill used up its allowance).
    let res = client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", MASTER_EMAIL), ("password", MASTER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == 200 || res.status() == 429,
        "sign-in after restart: {}",
        res.status()
    );
    server.kill().unwrap();
    server.wait().unwrap();

    let db = store::Db::connect(&format!("sqlite://{}", data.join("overcast.db").display()))
        .await
        .unwrap();
    assert!(
        db.integrity_ok().await.unwrap(),
        "integrity_check after SIGKILL"
    );
    let master = db.account_by_email(MASTER_EMAIL).await.unwrap().unwrap();
    assert!(master.is_master, "the master account survived");
    let audit = db.recent_audit(10_000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "sign_in" && e.outcome == "failure"),
        "writes made before the kill are there"
    );
    db.close().await;
}

/// Sends SIGTERM to `child` and waits for it to exit; returns how long
/// that took.
async fn terminate(child: &mut std::process::Child) -> Duration {
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "overcast exited with {exit}");
            return sent.elapsed();
        }
        assert!(sent.elapsed() < Duration::from_secs(60), "still running");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn sigterm_lets_a_script_run_have_its_grace_then_the_next_instance_ends_it() {
    const GRACE: u64 = 3;
    let Some(sshd) = ssh::testing::Sshd::start() else {
        return;
    };
    let key = ssh::KeyPair::generate(ssh::KeyAlgorithm::Ed25519).unwrap();
    sshd.authorize(&key.public_openssh());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(create_master(&data, MASTER_EMAIL, MASTER_PASSWORD)
        .status
        .success());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.path().join("overcast.log");
    let spawn = || {
        overcast()
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--shutdown-grace", &GRACE.to_string()])
            .arg("--data-dir")
            .arg(&data)
            .env("OVERCAST_LOG", "info")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = spawn();
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;

    // The instance names itself in /metrics and in its log.
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let instance = metrics
        .lines()
        .find_map(|l| l.strip_prefix("overcast_instance_info{instance=\""))
        .and_then(|l| l.strip_suffix("\"} 1"))
        .unwrap_or_else(|| panic!("no instance in /metrics:\n{metrics}"))
        .to_owned();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains(&instance),
        "{instance} not in the log:\n{logged}"
    );

    let auth = basic(MASTER_EMAIL, MASTER_PASSWORD);
    let call = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| {
        let mut req = client
            .request(method, format!("{base}{path}"))
            .header("Authorization", &auth);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            assert!(status.is_success(), "{path}: {status} {body}");
            body
        }
    };
    use reqwest::Method;
    use serde_json::json;
    call(
        Method::PUT,
        "/keys".into(),
        Some(json!({"id": "lab", "priv": key.private_openssh()})),
    )
    .await;
    let backend = call(
        Method::POST,
        "/backends".into(),
        Some(
            json!({"title": "box", "provider": "bare_metal", "machine_ip": "127.0.0.1",
                    "machine_key": "lab", "machine_user": sshd.user, "machine_port": sshd.port}),
        ),
    )
    .await;
    let b = backend["id"].as_str().unwrap().to_owned();
    let machines = call(Method::GET, format!("/backends/{b}/machines"), None).await;
    let m = machines[0]["id"].as_str().unwrap().to_owned();
    let run = call(
        Method::POST,
        format!("/backends/{b}/machines/{m}/scripts"),
        Some(json!({"script": "echo started; sleep 30"})),
    )
    .await;
    let path = format!(
        "/backends/{b}/machines/{m}/scripts/{}",
        run["id"].as_str().unwrap()
    );
    let started = Instant::now();
    loop {
        let run = call(Method::GET, path.clone(), None).await;
        if run["output"]
            .as_str()
            .is_some_and(|o| o.contains("started"))
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // SIGTERM: the run has the grace to finish; it does not (it sleeps
    // 30 s), so the process ends it there and exits, its lease released.
    let took = terminate(&mut first).await;
    println!(
        "SIGTERM to exit with a script run under way (--shutdown-grace {GRACE}): {:.2} s",
        took.as_secs_f64()
    );
    assert!(
        took >= Duration::from_secs(GRACE) && took < Duration::from_secs(GRACE + 3),
        "{took:?}"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("shutting down"), "{logged}");

    // The next instance ends the run as soon as it is up.
    let exited = Instant::now();
    let mut second = spawn();
    wait_ready(&client, &base).await;
    let run = loop {
        let run = call(Method::GET, path.clone(), None).await;
        if run["state"] != "running" {
            break run;
        }
        assert!(exited.elapsed() < Duration::from_secs(30), "{run}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let handed_over = exited.elapsed();
    println!(
        "the next instance (started at once) ended the run {:.2} s after the first exited",
        handed_over.as_secs_f64()
    );
    assert_eq!(run["state"], "error", "{run}");
    assert!(
        run["detail"]
            .as_str()
            .unwrap()
            .contains("stopped before it ended"),
        "{run}"
    );
    assert_eq!(run["output"], "started\n");
    assert!(handed_over < Duration::from_secs(10), "{handed_over:?}");
    let idle = terminate(&mut second).await;
    println!("SIGTERM to exit, idle: {:.2} s", idle.as_secs_f64());
    assert!(idle < Duration::from_secs(2), "{idle:?}");
    drop(sshd);
}
