//! Events and script runs across instances: a run started through A is
//! announced on B's event stream and followed live through B; its carrier
//! stopped by SIGTERM, the run is ended at once; killed by SIGKILL, once
//! its lease expires; its output kept either way, nginx's callers unharmed.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use ssh::{testing::Sshd, KeyAlgorithm, KeyPair};

use crate::{
    harness::{
        process::Instance,
        sse::{Frame, SseReader},
        Cluster, Options,
    },
    traffic::Traffic,
};

const SCRIPT: &str = "#!/bin/sh\necho start\ni=0\nwhile [ $i -lt 240 ]; do i=$((i+1)); echo tick$i; sleep 0.25; done\n";
/// A script run's lease, and the reaper's period.
const RUN_LEASE: Duration = Duration::from_secs(45);
const REAPER_EVERY: Duration = Duration::from_secs(5);

/// The sshd as a bare-metal backend, through nginx; (backend, machine).
async fn bare_metal(cluster: &Cluster, sshd: &Sshd) -> (String, String) {
    let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    sshd.authorize(&key.public_openssh());
    let res = cluster
        .api(Method::PUT, &cluster.nginx.url("/keys"))
        .json(&json!({"id": "lab", "priv": key.private_openssh()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = cluster
        .api(Method::POST, &cluster.nginx.url("/backends"))
        .json(
            &json!({"title": "box", "provider": "bare_metal", "machine_ip": "127.0.0.1",
            "machine_key": "lab", "machine_user": sshd.user, "machine_port": sshd.port}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = cluster.nginx.url(&format!("/backends/{b}/machines"));
    let machines: Value = cluster
        .api(Method::GET, &url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (b, machines[0]["id"].as_str().unwrap().to_owned())
}

/// Starts the script through `instance` directly; the run's id.
async fn start_run(cluster: &Cluster, instance: &Instance, b: &str, m: &str) -> String {
    let url = instance.url(&format!("/backends/{b}/machines/{m}/scripts"));
    let res = cluster
        .api(Method::POST, &url)
        .json(&json!({ "script": SCRIPT }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Reads the run through nginx until it is no longer waiting or running.
async fn ended(cluster: &Cluster, b: &str, m: &str, run: &str, within: Duration) -> Value {
    let url = cluster
        .nginx
        .url(&format!("/backends/{b}/machines/{m}/scripts/{run}"));
    let deadline = Instant::now() + within;
    loop {
        let res = cluster.api(Method::GET, &url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let run: Value = res.json().await.unwrap();
        if !matches!(run["state"].as_str(), Some("waiting" | "running")) {
            return run;
        }
        assert!(
            Instant::now() < deadline,
            "not ended in {within:?}: {run}\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The next event about `run` on `events` within `wait`: (kind, data).
async fn event_about(events: &mut SseReader, run: &str, wait: Duration) -> (String, Value) {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match events.next_frame(left).await {
            Frame::Event(e) => {
                let body: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                if body["data"]["run"] == run {
                    return (e.event, body["data"].clone());
                }
            }
            other => panic!("no event about run {run}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_through_one_instance_is_followed_through_another_and_ended_when_its_carrier_dies() {
    let Some(sshd) = Sshd::start() else { return };
    let Some(mut cluster) = Cluster::start(Options::default()).await else {
        return;
    };
    let (b, m) = bare_metal(&cluster, &sshd).await;
    crate::terminal::typed_through_nginx(&cluster, &b, &m).await;
    let traffic = Traffic::start(cluster.nginx.url("/backends"), cluster.token.clone());
    let (a, on_b, c) = (0, 1, 2);
    let b_events = cluster.api(Method::GET, &cluster.instances[on_b].url("/events"));
    let mut events = SseReader::send(b_events).await;

    // Through A; announced on B's stream and followed live through B.
    let run = start_run(&cluster, &cluster.instances[a], &b, &m).await;
    let (kind, _) = event_about(&mut events, &run, Duration::from_secs(15)).await;
    assert!(kind.starts_with("script."), "{kind}");
    let follow =
        cluster.instances[on_b].url(&format!("/backends/{b}/machines/{m}/scripts/{run}/stream"));
    let mut stream = cluster
        .api(Method::GET, &follow)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut followed = String::new();
    while !followed.contains("tick4") {
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.chunk()).await;
        let chunk = chunk
            .expect("output comes live")
            .unwrap()
            .expect("still running");
        followed.push_str(&String::from_utf8_lossy(&chunk));
    }
    let pool = cluster.db.pool().await;
    let carrier = lease_owner(&pool, &run).await;
    assert_eq!(carrier.as_deref(), Some(cluster.instances[a].id.as_str()));

    // SIGKILL A: the run is ended once its lease expires, by another
    // instance's reaper; B's follower and B's subscribers see it end.
    let killed_at = Instant::now();
    cluster.instances[a].kill();
    let run_after_kill = ended(&cluster, &b, &m, &run, RUN_LEASE + REAPER_EVERY * 3).await;
    let reaped_in = killed_at.elapsed();
    assert_eq!(run_after_kill["state"], "error", "{run_after_kill}");
    let output = run_after_kill["output"].as_str().unwrap();
    assert!(
        output.starts_with("start\ntick1\n") && output.contains("tick4"),
        "{output}"
    );
    assert!(reaped_in <= RUN_LEASE + REAPER_EVERY * 2, "{reaped_in:?}");
    let (mut kind, mut data) = event_about(&mut events, &run, Duration::from_secs(15)).await;
    while kind != "script.ended" {
        (kind, data) = event_about(&mut events, &run, Duration::from_secs(15)).await;
    }
    assert_eq!(
        (kind.as_str(), &data["state"]),
        ("script.ended", &json!("error"))
    );
    let rest = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(chunk) = stream.chunk().await.unwrap() {
            followed.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(rest.is_ok(), "B's follower ends with the run: {followed}");
    println!("figure: a run whose carrier was SIGKILLed was ended {reaped_in:?} later (lease {RUN_LEASE:?})");

    // SIGTERM C while it carries a run: the lease is released as it stops,
    // and the run is ended within a reaper's period.
    let run = start_run(&cluster, &cluster.instances[c], &b, &m).await;
    let (_, _) = event_about(&mut events, &run, Duration::from_secs(15)).await;
    let stopped_at = Instant::now();
    let took = cluster.instances[c].terminate().await;
    let after = ended(&cluster, &b, &m, &run, REAPER_EVERY * 3).await;
    let ended_in = stopped_at.elapsed();
    assert_eq!(after["state"], "error", "{after}");
    assert!(
        after["output"].as_str().unwrap().starts_with("start\n"),
        "{after}"
    );
    println!(
        "figure: SIGTERM stopped the carrier in {took:?}; its run was ended {ended_in:?} after the signal"
    );

    let (sent, failures) = traffic.stop().await;
    assert!(failures.is_empty(), "{failures:?} of {sent}");
    pool.close().await;
    cluster.finish().await;
}

async fn lease_owner(pool: &sqlx::AnyPool, run: &str) -> Option<String> {
    use sqlx::Row;
    let row = sqlx::query("SELECT owner FROM leases WHERE kind = 'script_run' AND key = $1")
        .bind(run)
        .fetch_optional(pool)
        .await
        .unwrap()?;
    Some(row.get::<String, _>("owner"))
}
