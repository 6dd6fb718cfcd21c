//! Commands that must not run, or not for long: a NUL in the command, and
//! a silent command whose client went away, at every door.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::Lab;

/// A NUL cannot travel in a command (the machine's shell would cut it
/// there): it is refused as bad input naming the field, before any
/// connection, not reported as a machine's failure.
#[tokio::test]
async fn a_nul_in_a_command_is_a_400_naming_the_field() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let res = lab
        .app
        .client
        .get(lab.app.url(&format!("/backends/{b}/machines/{m}/shell")))
        .query(&[("command", "echo a\0b"), ("csrf_token", &lab.app.csrf())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_input", "{body}");
    assert_eq!(body["field"], "command", "{body}");
    assert!(body["message"].as_str().unwrap().contains("NUL"), "{body}");
}

/// A command that prints nothing is stopped once its client goes away, at
/// either streaming door: the door writes something harmless when idle, so
/// the server notices the closed connection and drops the stream.
#[tokio::test]
async fn a_silent_command_stops_when_its_client_goes_away() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let running = |marker: &str| {
        std::process::Command::new("pgrep")
            .args(["-f", marker])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    for (door, seconds) in [
        ("mist.io shell route", "41.7"),
        ("server function", "43.9"),
        ("plain form post", "45.3"),
    ] {
        let command = format!("sleep {seconds}");
        let res = if door == "plain form post" {
            // A browser without JavaScript: it waits for the redirect, and
            // the operator closes the tab before the command ends.
            let request = lab
                .app
                .client
                .post(lab.app.url("/api/machines/run"))
                .header("accept", "text/html")
                .form(&[
                    ("backend", b.as_str()),
                    ("machine", m.as_str()),
                    ("command", &command),
                    ("csrf_token", &lab.app.csrf()),
                ])
                .send();
            let waiting = tokio::spawn(request);
            let started = Instant::now();
            while !running(&command) {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "{door}: never started"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            waiting.abort(); // the client goes away
            let gone = Instant::now();
            while running(&command) {
                assert!(
                    gone.elapsed() < Duration::from_secs(20),
                    "{door}: `{command}` still runs 20 s after its client left"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            continue;
        } else if door == "server function" {
            lab.app
                .client
                .post(lab.app.url("/api/machines/run"))
                .header("x-csrftoken", lab.app.csrf())
                .form(&[
                    ("backend", b.as_str()),
                    ("machine", m.as_str()),
                    ("command", &command),
                ])
                .send()
                .await
                .unwrap()
        } else {
            lab.app
                .client
                .get(lab.app.url(&format!(
                    "/backends/{b}/machines/{m}/shell?command={}",
                    command.replace(' ', "%20")
                )))
                .header("x-csrftoken", lab.app.csrf())
                .send()
                .await
                .unwrap()
        };
        assert_eq!(res.status(), 200, "{door}");
        let started = Instant::now();
        while !running(&command) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{door}: never started"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(res); // the client goes away
        let gone = Instant::now();
        while running(&command) {
            assert!(
                gone.elapsed() < Duration::from_secs(20),
                "{door}: `{command}` still runs 20 s after its client left"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
