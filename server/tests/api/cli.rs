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
