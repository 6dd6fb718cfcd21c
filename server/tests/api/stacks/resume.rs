//! A stack whose runner stopped mid-operation: refused another operation
//! while leased, then resumed by the job without making a machine twice.

use reqwest::Method;
use serde_json::{json, Value};
use service::jobs::{JobContext, StackResume};
use store::stacks::{BeginOperation, NewStack, NewStep, NewVersion};

use super::*;

/// A stack `CREATE_IN_PROGRESS` on `backend` with two pending steps, as a
/// runner that stopped left it; its id.
async fn half_made(app: &TestApp, backend: &str) -> String {
    let db = &app.services().db;
    let now = app.services().now();
    db.create_stack(
        &NewStack {
            id: "st1".into(),
            nickname: "calm-teal-otter".into(),
            owner_id: "nobody".into(),
            backend_id: backend.into(),
            status: "REVIEW_IN_PROGRESS".into(),
            auth_token_sealed: app
                .services()
                .vault
                .seal_str("stack:st1", "secret")
                .unwrap(),
            now,
        },
        &NewVersion {
            version_id: "v1".into(),
            template: template("libvirt", backend, 2).to_string(),
            computed: "{}".into(),
            created_at: now,
        },
    )
    .await
    .unwrap();
    assert!(db
        .begin_operation(
            "st1",
            &BeginOperation {
                kind: "create",
                id: "op1",
                detail: "{}",
                from: &["REVIEW_IN_PROGRESS"],
                to: "CREATE_IN_PROGRESS",
                expected_version: None,
                new_version: None,
                now,
                status_event: "{}",
            },
        )
        .await
        .unwrap());
    for n in 1..=2 {
        db.append_step(
            "st1",
            &NewStep {
                operation_id: "op1".into(),
                flag: "Web01".into(),
                action: "create_machine".into(),
                machine_name: format!("calm-teal-otter-Web01-{n}"),
                machine_id: None,
                now,
            },
        )
        .await
        .unwrap();
    }
    "st1".into()
}

#[tokio::test]
async fn a_stopped_operation_is_refused_another_then_resumed_without_duplicates() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    // Another instance carries it: no second operation, and no resumption.
    let db = &app.services().db;
    let id = {
        // The lease first, so this instance's job never takes it up early.
        assert!(db
            .claim_lease("stack", "st1", "other", app.services().now(), 600_000)
            .await
            .unwrap());
        half_made(&app, &b).await
    };
    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("CREATE_IN_PROGRESS") && body.contains("create"),
        "{body}"
    );
    assert_eq!(
        StackResume::sweep(&JobContext::new(app.services()))
            .await
            .unwrap(),
        0
    );

    // The first machine was made before the runner stopped.
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(json!({"name": "calm-teal-otter-Web01-1", "size": "1cpu-512mb", "image": "none", "location": "vm"})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // The other instance is gone: its lease ends, the job resumes.
    assert!(db.release_lease("stack", "st1", "other").await.unwrap());
    StackResume::sweep(&JobContext::new(app.services()))
        .await
        .unwrap();
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let live = live_names(&app, &b).await;
    for n in 1..=2 {
        let name = format!("calm-teal-otter-Web01-{n}");
        assert_eq!(live.iter().filter(|l| **l == name).count(), 1, "{live:?}");
    }
    let steps: Vec<&Value> = stack["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "step" && e["detail"]["state"] == "done")
        .collect();
    assert_eq!(steps.len(), 2, "{stack}");
    assert!(
        steps.iter().any(|e| e["detail"]["message"]
            .as_str()
            .unwrap()
            .starts_with("adopted")),
        "{stack}"
    );
}

#[tokio::test]
async fn a_delete_left_half_done_is_resumed_and_a_machine_already_gone_counts_as_destroyed() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template",
            Some(template("libvirt", "kvm", 2)),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let machines: Vec<(String, String)> = stack["instances"]["Web01"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["machine_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // A runner began the delete, journalled it, destroyed the first
    // machine and stopped.
    let db = &app.services().db;
    let now = app.services().now();
    assert!(db
        .claim_lease("stack", &id, "other", now, 600_000)
        .await
        .unwrap());
    assert!(db
        .begin_operation(
            &id,
            &BeginOperation {
                kind: "delete",
                id: "op-del",
                detail: "{}",
                from: &["CREATE_COMPLETE"],
                to: "DELETE_IN_PROGRESS",
                expected_version: None,
                new_version: None,
                now,
                status_event: "{}",
            },
        )
        .await
        .unwrap());
    for (name, machine) in &machines {
        db.append_step(
            &id,
            &NewStep {
                operation_id: "op-del".into(),
                flag: "Web01".into(),
                action: "destroy_machine".into(),
                machine_name: name.clone(),
                machine_id: Some(machine.clone()),
                now,
            },
        )
        .await
        .unwrap();
    }
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{}", machines[0].1),
            Some(json!({"action": "destroy"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(db.release_lease("stack", &id, "other").await.unwrap());
    StackResume::sweep(&JobContext::new(app.services()))
        .await
        .unwrap();
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    let live = live_names(&app, &b).await;
    assert!(machines.iter().all(|(n, _)| !live.contains(n)), "{live:?}");
}
