//! Scripts run on machines over SSH: started on a running machine, or given
//! at creation and run once the new machine answers; output kept chunk by
//! chunk and followed as it arrives.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::Lab;
use crate::helpers::*;

/// GETs a run's stream and collects (arrival time, chunk) pairs.
async fn follow(app: &TestApp, b: &str, m: &str, run: &str) -> Vec<(Duration, String)> {
    let start = Instant::now();
    let mut res = app
        .client
        .get(app.url(&format!("/backends/{b}/machines/{m}/scripts/{run}/stream")))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut chunks = Vec::new();
    while let Some(chunk) = res.chunk().await.unwrap() {
        chunks.push((
            start.elapsed(),
            String::from_utf8_lossy(&chunk).into_owned(),
        ));
    }
    chunks
}

/// Reads a run until `done` says so (or 60 s pass).
async fn run_until(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let run: Value = app.get_json(path).await.json().await.unwrap();
        if done(&run) {
            return run;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_script_streams_as_it_runs_and_its_output_is_kept() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let script = "#!/bin/sh\nfor i in 1 2 3 4; do echo line$i; sleep 0.3; done\necho \"</script><b>oops\" >&2\nexit 3\n";
    // As a browser's form sends a textarea: lines ended by CR LF.
    let posted = script.replace('\n', "\r\n");
    let res = lab
        .app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{m}/scripts"),
            Some(json!({ "script": posted })),
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let run: Value = res.json().await.unwrap();
    let id = run["id"].as_str().unwrap().to_owned();
    assert!(
        matches!(run["state"].as_str(), Some("waiting" | "running")),
        "{run}"
    );

    let chunks = follow(&lab.app, &b, &m, &id).await;
    let when = |needle: &str| {
        chunks
            .iter()
            .find(|(_, c)| c.contains(needle))
            .map(|(t, _)| *t)
            .unwrap_or_else(|| panic!("{needle} never arrived: {chunks:?}"))
    };
    assert!(
        when("line4") - when("line1") >= Duration::from_millis(600),
        "followed as it ran, not all at the end: {chunks:?}"
    );
    let all: String = chunks.iter().map(|(_, c)| c.as_str()).collect();
    assert!(
        all.ends_with("\">parent.completeShell(3);</script>\n"),
        "{all}"
    );
    assert!(!all.contains("<b>oops"), "output is escaped: {all}");

    let path = format!("/backends/{b}/machines/{m}/scripts/{id}");
    let run = run_until(&lab.app, &path, |r| r["state"] != "running").await;
    assert_eq!(run["state"], "failed", "{run}");
    assert_eq!(run["exit_code"], 3);
    assert_eq!(run["ssh_user"], lab.sshd.user.as_str());
    assert_eq!(run["script"], script);
    let output = run["output"].as_str().unwrap();
    assert!(
        output.starts_with("line1\nline2\nline3\nline4\n") && output.contains("</script><b>oops"),
        "stdout and stderr kept in order: {output:?}"
    );
    // The temporary file the script travelled in is gone.
    let leftovers: Vec<_> = std::fs::read_dir(lab.sshd.tmp())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A finished run is followed to its end at once, from the start.
    let again = follow(&lab.app, &b, &m, &id).await;
    let replay: String = again.iter().map(|(_, c)| c.as_str()).collect();
    assert!(replay.contains("line1") && replay.ends_with("parent.completeShell(3);</script>\n"));

    let list: Value = lab
        .app
        .get_json(&format!("/backends/{b}/machines/{m}/scripts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], id.as_str());

    let audit: Value = lab
        .app
        .get_json("/v3/audit?action=shell:machine")
        .await
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(
        text.contains(&format!("script {id}: for i in 1 2 3 4")) && text.contains("exit 3"),
        "start and end audited: {text}"
    );
}

#[tokio::test]
async fn bad_scripts_and_unknown_runs_get_clear_errors() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let path = format!("/backends/{b}/machines/{m}/scripts");
    for (script, why) in [
        (String::new(), "is empty"),
        ("  \n".to_owned(), "is empty"),
        ("x".repeat(65 * 1024), "longer than 64 KiB"),
    ] {
        let res = lab
            .app
            .api(Method::POST, &path, Some(json!({ "script": script })))
            .await;
        assert_eq!(res.status(), 400);
        let body = res.text().await.unwrap();
        assert!(body.contains("script") && body.contains(why), "{body}");
    }
    let res = lab
        .app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/nosuch/scripts"),
            Some(json!({"script": "true"})),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = lab.app.get_json(&format!("{path}/nosuch")).await;
    assert_eq!(res.status(), 404);
    let res = lab.app.get_json(&format!("{path}/nosuch/stream")).await;
    assert_eq!(res.status(), 404);
}

/// Starts `echo started; sleep 30` on the lab's machine and waits until
/// its first line is kept; returns the run's path.
async fn start_sleeper(lab: &Lab) -> (String, String) {
    let (b, m) = lab.bare_metal("box").await;
    let res = lab
        .app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{m}/scripts"),
            Some(json!({"script": "echo started; sleep 30"})),
        )
        .await;
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/backends/{b}/machines/{m}/scripts/{id}");
    run_until(&lab.app, &path, |r| {
        r["output"].as_str().is_some_and(|o| o.contains("started"))
    })
    .await;
    (id, path)
}

/// One sweep of the reaper as instance `other` would run it, on a clock
/// `ahead_ms` ahead.
async fn sweep_as_other(services: &service::Services, ahead_ms: i64) -> u64 {
    use service::jobs::{InstanceId, JobContext, Reaper};
    let later = services
        .clone()
        .with_clock(move || store::now_ms() + ahead_ms);
    Reaper::sweep(&JobContext::for_instance(
        &later,
        InstanceId::named("other"),
    ))
    .await
    .unwrap()
}

fn ended_by_the_reaper(run: &Value) {
    assert_eq!(run["state"], "error", "{run}");
    assert!(
        run["detail"]
            .as_str()
            .unwrap()
            .contains("stopped before it ended"),
        "{run}"
    );
    assert_eq!(run["output"], "started\n", "its output is kept: {run}");
}

#[tokio::test]
async fn a_run_is_left_to_its_live_carrier_and_ended_once_its_lease_expires() {
    let Some(lab) = Lab::new().await else { return };
    let (id, path) = start_sleeper(&lab).await;
    let services = lab.app.services().clone();
    let lease = services
        .db
        .lease("script_run", &id)
        .await
        .unwrap()
        .expect("the run is carried under its lease");
    assert_eq!(lease.owner, services.background.instance().as_str());

    // Another instance's reaper leaves a run whose carrier renews its
    // lease alone, now and 30 s on (the lease lasts 45 s from its last
    // renewal, at most 10 s ago).
    assert_eq!(sweep_as_other(&services, 0).await, 0);
    assert_eq!(sweep_as_other(&services, 30_000).await, 0);
    let run: Value = lab.app.get_json(&path).await.json().await.unwrap();
    assert_eq!(run["state"], "running", "{run}");

    // The carrier dies without a word (as a killed process would): its
    // lease stays until it expires, then any instance ends the run.
    services.background.abort();
    assert_eq!(sweep_as_other(&services, 0).await, 0);
    let run: Value = lab.app.get_json(&path).await.json().await.unwrap();
    assert_eq!(run["state"], "running", "{run}");
    assert_eq!(
        sweep_as_other(&services, service::scripts::LEASE_TTL_MS + 1_000).await,
        1
    );
    let run: Value = lab.app.get_json(&path).await.json().await.unwrap();
    ended_by_the_reaper(&run);
}

#[tokio::test]
async fn a_stopping_server_waits_its_grace_then_the_next_instance_ends_the_run_at_once() {
    const GRACE: u64 = 2;
    let Some(lab) = Lab::with_settings(|s| s.shutdown_grace = GRACE).await else {
        return;
    };
    let (id, path) = start_sleeper(&lab).await;
    let Lab { app, sshd, .. } = lab;
    let before = app.services().background.instance().clone();

    // The run outlasts the grace: the stop waits for it that long, then
    // ends it where it is and releases its lease.
    let stopping = Instant::now();
    let (app, stopped) = app.restart_reporting().await;
    println!(
        "stop with a script run under way (grace {GRACE} s): {:.2} s, {stopped:?}",
        stopped.took.as_secs_f64()
    );
    assert!(!stopped.finished_in_grace, "{stopped:?}");
    assert!(stopped.aborted_tasks >= 1, "{stopped:?}");
    assert!(stopped.released_leases >= 1, "{stopped:?}");
    assert!(
        stopped.took >= Duration::from_secs(GRACE)
            && stopped.took < Duration::from_secs(GRACE) + Duration::from_secs(3),
        "{stopped:?}"
    );
    let services = app.services();
    assert_ne!(services.background.instance(), &before, "a new instance id");
    assert!(
        services
            .db
            .instances()
            .await
            .unwrap()
            .iter()
            .all(|i| i.id != before.as_str()),
        "the stopped instance's row is gone"
    );

    // The next instance's reaper runs at start: the run no lease covers is
    // ended at once, not 45 s later.
    let run = run_until(&app, &path, |r| r["state"] != "running").await;
    let handed_over = stopping.elapsed() - stopped.took;
    println!(
        "the next instance ended the run {:.2} s after the first one stopped (its start included)",
        handed_over.as_secs_f64()
    );
    assert!(handed_over < Duration::from_secs(3), "{handed_over:?}");
    ended_by_the_reaper(&run);
    assert_eq!(services.db.lease("script_run", &id).await.unwrap(), None);
    drop(sshd);
}

/// Creation with a script: the run waits while the new machine has no
/// address, and runs once it answers over SSH.
#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_post_deploy_script_waits_for_its_machine_then_runs() {
    let Some(lab) = Lab::new().await else { return };
    lab.import_key("lab").await;
    let app = &lab.app;
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "kvm", "provider": "libvirt", "apiurl": "test:///default", "poll_interval": 3_600_000})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let location = app
        .get_json(&format!("/backends/{b}/locations"))
        .await
        .json::<Value>()
        .await
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(
                json!({"name": "vm-deployed", "size": "1cpu-512mb", "image": "none",
                        "location": location, "key": "lab",
                        "script": "#!/bin/sh\necho deployed as $(id -un)\n"}),
            ),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let m = created["id"].as_str().unwrap().to_owned();
    let id = created["script_run"]["id"].as_str().unwrap().to_owned();
    let path = format!("/backends/{b}/machines/{m}/scripts/{id}");
    // The test hypervisor's address leads nowhere: the run waits, saying why.
    let run = run_until(app, &path, |r| {
        r["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("waiting for the machine to answer over SSH: "))
    })
    .await;
    assert_eq!(run["state"], "waiting", "{run}");

    // The machine comes up: the sshd on loopback stands in for it.
    let services = app.services();
    let mut machine = services.db.machine(&b, &m).await.unwrap().unwrap();
    machine.public_ips = json!(["127.0.0.1"]).to_string();
    machine.ssh_port = i64::from(lab.sshd.port);
    services.db.upsert_machine(&machine).await.unwrap();
    let res = app
        .api(
            Method::PUT,
            &format!("/backends/{b}/machines/{m}/keys/lab"),
            Some(json!({"ssh_user": lab.sshd.user})),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    let run = run_until(app, &path, |r| {
        !matches!(r["state"].as_str(), Some("waiting" | "running"))
    })
    .await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(
        run["output"],
        format!("deployed as {}\n", lab.sshd.user).as_str()
    );
}
