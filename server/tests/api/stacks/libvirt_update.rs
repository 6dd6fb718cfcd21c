//! Updating stacks on libvirt's test driver: scaled 1 -> 3 -> 0 -> 2, a
//! layer added and one removed, each step checked against what libvirt
//! has; a failed update rolled back; refusals (stale version, an operation
//! running, rights); many updates at once.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::identity;

/// A stack of `template`, created; `(id, nickname, version)`.
async fn created(app: &TestApp, template: &Value) -> (String, String, String) {
    let res = app
        .api(Method::POST, "/v3/alm/template", Some(template.clone()))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let applied: Value = res.json().await.unwrap();
    let id = applied["stack_id"].as_str().unwrap().to_owned();
    let stack = wait_for(app, &id, "CREATE_COMPLETE").await;
    let nick = stack["nickname"].as_str().unwrap().to_owned();
    let version = applied["version_id"].as_str().unwrap().to_owned();
    (id, nick, version)
}

/// Puts `template` on the stack; the answer (202 expected).
async fn update(app: &TestApp, id: &str, template: &Value) -> Value {
    let res = app
        .api(
            Method::PUT,
            &format!("/v3/alm/template/{id}"),
            Some(template.clone()),
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

fn with_count(count: u32) -> Value {
    template("libvirt", "kvm", count)
}

fn names(nick: &str, flag: &str, numbers: &[u32]) -> Vec<String> {
    numbers
        .iter()
        .map(|n| format!("{nick}-{flag}-{n}"))
        .collect()
}

#[tokio::test]
async fn a_stack_scaled_1_3_0_2_then_a_layer_added_and_one_removed() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let (id, nick, _) = created(&app, &with_count(1)).await;
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Web01").await,
        names(&nick, "Web01", &[1])
    );

    // 1 -> 3: two new machines, numbered on.
    let answer = update(&app, &id, &with_count(3)).await;
    assert_eq!(answer["plan"]["layers"][0]["action"], "scale");
    assert_eq!(
        answer["plan"]["layers"][0]["create"],
        json!(names(&nick, "Web01", &[2, 3]))
    );
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Web01").await,
        names(&nick, "Web01", &[1, 2, 3])
    );

    // 3 -> 0: every machine destroyed, the layer kept (empty).
    let answer = update(&app, &id, &with_count(0)).await;
    assert_eq!(
        answer["plan"]["layers"][0]["destroy"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let stack = wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert!(layer_on_provider(&app, &b, &nick, "Web01").await.is_empty());
    assert!(
        stack["instances"]["Web01"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{stack}"
    );

    // 0 -> 2: new names (a destroyed machine's name is never reused).
    update(&app, &id, &with_count(2)).await;
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Web01").await,
        names(&nick, "Web01", &[4, 5])
    );

    // A layer added (Db01, one machine) and Web01 removed.
    let mut t = with_count(2);
    t["configurations"] = json!([{"role": "db", "flag": "Db01",
        "provision": {"image": "none", "instance_type": "1cpu-512mb", "keypair": false}}]);
    let answer = update(&app, &id, &t).await;
    let actions: Vec<(&str, &str)> = answer["plan"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["flag"].as_str().unwrap(), l["action"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("Db01", "create"), ("Web01", "delete")]);
    let stack = wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert!(layer_on_provider(&app, &b, &nick, "Web01").await.is_empty());
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Db01").await,
        names(&nick, "Db01", &[1])
    );
    assert_eq!(stack["instances"]["Db01"].as_array().unwrap().len(), 1);
    let statuses = statuses(&stack);
    assert_eq!(
        statuses.iter().filter(|s| **s == "UPDATE_COMPLETE").count(),
        4,
        "{stack}"
    );
}

#[tokio::test]
async fn a_failed_update_goes_back_to_the_previous_versions_machines() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let (id, nick, v1) = created(&app, &with_count(1)).await;
    // Two layers: Web01 scaled up (made), Db01's size does not exist.
    let mut t = with_count(2);
    t["configurations"].as_array_mut().unwrap().push(json!({
        "role": "db", "flag": "Db01",
        "provision": {"image": "none", "instance_type": "9cpu-1mb", "keypair": false}}));
    update(&app, &id, &t).await;
    let stack = wait_for(&app, &id, "UPDATE_ROLLBACK_COMPLETE").await;
    assert_eq!(stack["version_id"], v1.as_str(), "{stack}");
    // The failed version is kept and listed; `latest` is the current one.
    let versions: Value = app
        .get_json(&format!("/v3/alm/template?stack_id={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions}");
    assert_eq!(versions[1]["version_id"], v1.as_str());
    assert_eq!(versions[1]["latest"], true, "{versions}");
    assert_eq!(versions[0]["latest"], false, "{versions}");
    let latest: Value = app
        .get_json(&format!("/v3/alm/template/{id}?version_id=latest"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(latest["configurations"].as_array().unwrap().len(), 1);
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Web01").await,
        names(&nick, "Web01", &[1])
    );
    assert!(layer_on_provider(&app, &b, &nick, "Db01").await.is_empty());
    let statuses = statuses(&stack);
    assert_eq!(
        &statuses[statuses.len() - 3..],
        [
            "UPDATE_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
            "UPDATE_ROLLBACK_COMPLETE"
        ],
        "{stack}"
    );
    // The stack may be updated again.
    update(&app, &id, &with_count(2)).await;
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(layer_on_provider(&app, &b, &nick, "Web01").await.len(), 2);
}

#[tokio::test]
async fn an_update_is_refused_when_stale_or_busy() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let (id, _, v1) = created(&app, &with_count(1)).await;
    let path = format!("/v3/alm/template/{id}");

    // A stale `expected_version_id`, in the body or as If-Match: 409.
    let mut t = with_count(2);
    t["expected_version_id"] = json!("0123456789abcdef");
    let res = app.api(Method::PUT, &path, Some(t)).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains(&v1));
    let res = app
        .client
        .put(app.url(&path))
        .header("X-CSRFToken", app.csrf())
        .header("If-Match", "\"0123456789abcdef\"")
        .json(&with_count(2))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);

    // The right version: accepted; a dry run changes nothing.
    let res = app
        .api(
            Method::PUT,
            &format!("{path}?dry_run=true"),
            Some(with_count(3)),
        )
        .await;
    assert_eq!(res.status(), 200);
    let dry: Value = res.json().await.unwrap();
    assert_eq!(dry["plan"]["layers"][0]["to"], 3);
    assert!(dry["version_id"].is_null());
    let mut t = with_count(2);
    t["expected_version_id"] = json!(v1);
    let res = app.api(Method::PUT, &path, Some(t)).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());

    // While an operation runs (begun by hand, as another instance would,
    // once this one ended): 409 naming it.
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    let begun = app
        .services()
        .db
        .begin_operation(
            &id,
            &store::stacks::BeginOperation {
                kind: "update",
                id: "elsewhere",
                detail: "{}",
                from: service::stacks::SETTLED,
                to: "UPDATE_IN_PROGRESS",
                expected_version: None,
                new_version: None,
                now: 1,
                status_event: "{}",
            },
        )
        .await
        .unwrap();
    assert!(begun);
    let res = app.api(Method::PUT, &path, Some(with_count(1))).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("UPDATE_IN_PROGRESS"));
}

#[tokio::test]
async fn an_update_needs_edit_and_the_machine_rights_and_a_live_stack() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let (id, nick, _) = created(&app, &with_count(2)).await;
    let path = format!("/v3/alm/template/{id}");
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:alm.stack", "edit:alm.stack", "create:machine"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    // Scaling up needs only create:machine: planned, not refused.
    let res = app
        .as_caller(
            Method::PUT,
            &format!("{path}?dry_run=true"),
            &user,
            Some(with_count(3)),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Scaling down destroys: 403 naming destroy:machine, nothing changes.
    let res = app
        .as_caller(Method::PUT, &path, &user, Some(with_count(1)))
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("destroy:machine"));
    let stack = app.services().db.stack(&id).await.unwrap().unwrap();
    assert_eq!(stack.status, "CREATE_COMPLETE");
    assert_eq!(
        app.services().db.stack_versions(&id).await.unwrap().len(),
        1
    );
    assert_eq!(layer_on_provider(&app, &b, &nick, "Web01").await.len(), 2);
    // Credentials that sign nobody in: 401.
    let res = app
        .as_caller(
            Method::PUT,
            &format!("/v3/alm/template/{}", "no-such-stack"),
            &basic("nobody@example.com", "wrong-password-1"),
            Some(with_count(1)),
        )
        .await;
    assert_eq!(res.status(), 401);

    // A deleted stack: 409; an unknown one: 404.
    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 202);
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    let res = app.api(Method::PUT, &path, Some(with_count(1))).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("deleted"));
    let res = app
        .api(
            Method::PUT,
            "/v3/alm/template/no-such-stack",
            Some(with_count(1)),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn of_many_updates_at_once_each_is_applied_whole_or_refused() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let (id, nick, _) = created(&app, &with_count(1)).await;
    let path = format!("/v3/alm/template/{id}");
    let answers = futures_util::future::join_all((1..=24u32).map(|n| {
        let (app, path) = (&app, &path);
        async move {
            let res = app
                .api(Method::PUT, path, Some(with_count(n % 4 + 1)))
                .await;
            (res.status().as_u16(), n % 4 + 1)
        }
    }))
    .await;
    assert!(
        answers.iter().all(|(s, _)| *s == 202 || *s == 409),
        "{answers:?}"
    );
    let accepted = answers.iter().filter(|(s, _)| *s == 202).count();
    assert!(accepted >= 1, "{answers:?}");
    // Let the last accepted update finish.
    let started = std::time::Instant::now();
    let stack = loop {
        let stack = app.services().db.stack(&id).await.unwrap().unwrap();
        if stack.operation.is_none() {
            break stack;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(stack.status, "UPDATE_COMPLETE");
    let versions = app.services().db.stack_versions(&id).await.unwrap();
    assert_eq!(
        versions.len(),
        1 + accepted,
        "one version per accepted update"
    );
    let current = service::stacks::parse(
        &versions
            .iter()
            .find(|v| v.version_id == stack.version_id)
            .unwrap()
            .template,
    )
    .unwrap();
    let want = current.configurations[0].provision.count() as usize;
    assert_eq!(
        layer_on_provider(&app, &b, &nick, "Web01").await.len(),
        want
    );
}
