//! mist.io's probe (`POST .../probe`): the SSH port's reachability by timed
//! connections, and the machine's own figures read over SSH for a caller
//! who may open a shell on it; the machine page's Health section.

use reqwest::Method;
use serde_json::{json, Value};

use super::Lab;
use crate::{helpers::*, identity};

#[tokio::test]
async fn a_probe_reports_reachability_and_the_machines_figures() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let path = format!("/backends/{b}/machines/{m}/probe");

    // mist.io's body, and none at all: the same machine, the same figures.
    for body in [json!({"host": "127.0.0.1", "key": "lab"}), json!({})] {
        let res = lab.app.api(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(res.status(), 200, "{body}");
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["packets_tx"], 3, "{p}");
        assert_eq!(p["packets_rx"], 3, "{p}");
        assert_eq!(p["packets_loss"], 0.0, "{p}");
        let (min, avg, max) = (
            p["rtt_min"].as_f64().unwrap(),
            p["rtt_avg"].as_f64().unwrap(),
            p["rtt_max"].as_f64().unwrap(),
        );
        assert!(min <= avg && avg <= max, "{p}");
        assert!(p["uptime"].as_f64().unwrap() > 0.0, "{p}");
        let load = p["loadavg"].as_array().unwrap();
        assert_eq!(load.len(), 3, "{p}");
        assert!(load.iter().all(|l| l.as_f64().unwrap() >= 0.0), "{p}");
        assert!(p["cores"].as_u64().unwrap() >= 1, "{p}");
        assert!(p["users"].as_u64().is_some(), "{p}");
        assert!(p["detail"].is_null(), "{p}");
    }

    // Not one of the machine's addresses, or a key that is not there.
    for (body, field) in [
        (json!({"host": "10.9.8.7"}), "host"),
        (json!({"key": "nope"}), "key"),
    ] {
        let res = lab.app.api(Method::POST, &path, Some(body)).await;
        assert_eq!(res.status(), 400);
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field);
    }
    let res = lab
        .app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/nope/probe"),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);

    // Someone who may see the machine but not open a shell on it learns
    // whether it answers, and why there is no more.
    identity::create_user_with_scope(
        &lab.app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "view:backend"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let viewer = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let p: Value = lab
        .app
        .as_caller(Method::POST, &path, &viewer, Some(json!({})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["packets_rx"], 3, "{p}");
    assert!(p["uptime"].is_null(), "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("shell:machine"),
        "{p}"
    );

    // The host stops answering: the probe says so.
    let Lab { app, sshd, .. } = lab;
    drop(sshd);
    let p: Value = app
        .api(Method::POST, &path, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (p["packets_rx"].as_u64(), p["packets_loss"].as_f64()),
        (Some(0), Some(100.0)),
        "{p}"
    );
    assert!(p["rtt_avg"].is_null() && p["uptime"].is_null(), "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("did not answer"),
        "{p}"
    );
}

#[tokio::test]
async fn the_machine_page_probes_with_and_without_javascript() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let page = lab.app.get_page(&format!("/machines/{b}/{m}")).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"probe\""),
        "the page offers a probe"
    );

    // The hydrated page's call: the answer itself.
    let res = lab
        .app
        .server_fn(
            "machines/probe",
            &[("backend", &b), ("machine", &m)],
            Some(&lab.app.csrf()),
        )
        .await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["packets_rx"], 3, "{p}");

    // A plain form post: back to the page, which shows what it found once.
    let res = lab
        .app
        .client
        .post(lab.app.url("/api/machines/probe"))
        .header(
            reqwest::header::ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header(
            reqwest::header::REFERER,
            lab.app.url(&format!("/machines/{b}/{m}")),
        )
        .form(&[
            ("backend", b.as_str()),
            ("machine", m.as_str()),
            ("csrf_token", lab.app.csrf().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let html = lab
        .app
        .get_page(&format!("/machines/{b}/{m}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"probe-result\""),
        "shown after the post"
    );
    assert!(html.contains("3 of 3 connections answered"), "{html}");
    let again = lab
        .app
        .get_page(&format!("/machines/{b}/{m}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !again.contains("data-testid=\"probe-result\""),
        "shown once"
    );
}
