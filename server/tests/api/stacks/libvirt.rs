//! Stacks on libvirt's test driver.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::identity;

#[tokio::test]
async fn a_template_makes_a_stack_whose_machines_exist_and_are_destroyed_with_it() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let mut t = template("libvirt", "kvm", 2);
    t["configurations"][0]["container"] = json!({
        "image": "nginx", "registryUsername": "me", "registryPassword": "hunter2-secret",
        "environment_variables": {"DB_PASSWORD": "swordfish-secret"}
    });

    // A dry run answers the plan and creates nothing.
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template?dry_run=true",
            Some(t.clone()),
        )
        .await;
    assert_eq!(res.status(), 200);
    let dry: Value = res.json().await.unwrap();
    assert_eq!(dry["plan"]["layers"][0]["action"], "create", "{dry}");
    assert_eq!(dry["plan"]["layers"][0]["to"], 2, "{dry}");
    assert!(dry["stack_id"].is_null());
    assert!(app.services().db.stacks(true).await.unwrap().is_empty());

    // An invalid template: 400, each fault with its pointer.
    let mut bad = t.clone();
    bad["version"] = json!("2016-01-01");
    bad["configurations"][0]["provision"]
        .as_object_mut()
        .unwrap()
        .remove("instance_type");
    let res = app.api(Method::POST, "/v3/alm/template", Some(bad)).await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("/version"), "{body}");
    assert!(
        body.contains("/configurations/0/provision/instance_type"),
        "{body}"
    );

    // Applied: CREATE_IN_PROGRESS, then CREATE_COMPLETE with two machines.
    let res = app
        .api(Method::POST, "/v3/alm/template", Some(t.clone()))
        .await;
    assert_eq!(res.status(), 201);
    let applied: Value = res.json().await.unwrap();
    assert_eq!(applied["status"], "success");
    assert_eq!(applied["stack_status"], "CREATE_IN_PROGRESS");
    let id = applied["stack_id"].as_str().unwrap().to_owned();
    let version = applied["version_id"].as_str().unwrap().to_owned();
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let nick = stack["nickname"].as_str().unwrap();
    assert_eq!(nick.split('-').count(), 3, "{nick}");
    let names: Vec<&str> = stack["instances"]["Web01"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [format!("{nick}-Web01-1"), format!("{nick}-Web01-2")]
    );
    let live = live_names(&app, &b).await;
    for name in &names {
        assert_eq!(live.iter().filter(|n| n == name).count(), 1, "{live:?}");
    }
    let first = &stack["instances"]["Web01"][0];
    assert!(
        first["state"].is_string() && first["state"] != "unknown",
        "{stack}"
    );
    assert_ne!(stack["auth_token"], "****");
    assert_eq!(stack["configuration"]["configurations"][0]["flag"], "Web01");
    // Secrets: masked in answers, sealed where stored.
    let container = &stack["configuration"]["configurations"][0]["container"];
    assert_eq!(container["registryPassword"], "****", "{stack}");
    assert_eq!(container["environment_variables"]["DB_PASSWORD"], "****");
    let stored = app.services().db.stack_versions(&id).await.unwrap();
    assert!(
        !stored[0].template.contains("-secret"),
        "{}",
        stored[0].template
    );
    let sealed = domain::stacks::Template::parse(&stored[0].template).unwrap();
    let opened = service::stacks::secrets::open(&app.services().vault, &id, &sealed).unwrap();
    let opened = opened.configurations[0].container.as_ref().unwrap();
    assert_eq!(opened.registry_password.as_deref(), Some("hunter2-secret"));
    let events = stack["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["detail"]["status"] == "CREATE_COMPLETE"),
        "{stack}"
    );
    assert!(
        events.iter().filter(|e| e["kind"] == "step").count() >= 2,
        "{stack}"
    );
    // Published: the status changes and the steps, on stack/<id>.
    let published = app.services().db.events_after(0, 1000).await.unwrap();
    let on_stack = |kind: &str| {
        published
            .iter()
            .filter(|e| e.kind == kind && e.resource == format!("stack/{id}"))
            .count()
    };
    assert!(on_stack("stack.changed") >= 2, "{published:?}");
    assert!(on_stack("stack.step") >= 4, "{published:?}");
    let listed: Value = app.get_json("/v3/alm/stack").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Versions, one version's template, a comparison.
    let versions: Value = app
        .get_json(&format!("/v3/alm/template?stack_id={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions[0]["version_id"], version.as_str());
    assert_eq!(versions[0]["latest"], true);
    let body: Value = app
        .get_json(&format!("/v3/alm/template/{id}?version_id=latest"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["version"], "2017-03-03");
    let three = template("libvirt", "kvm", 3).to_string();
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template/compare",
            Some(json!({"id": [{&id: {"version": version}}], "body": [three]})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let compared: Value = res.json().await.unwrap();
    assert_eq!(compared["status"], "success");
    assert!(
        compared["diff"]["edited"]["/configurations/0/provision/instance_count"].is_object(),
        "{compared}"
    );
    assert_eq!(
        compared["plan"]["layers"][0]["action"], "scale",
        "{compared}"
    );
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template/compare",
            Some(json!({"id": [{&id: {"version": version}}], "body": ["{\"version\": \"2017-03-03\",}"]})),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("line 1") && body.contains("column"), "{body}");

    // Deleted: its machines destroyed, the stack listed only on request.
    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    let live = live_names(&app, &b).await;
    assert!(
        names.iter().all(|n| !live.contains(&n.to_string())),
        "{live:?}"
    );
    let listed: Value = app.get_json("/v3/alm/stack").await.json().await.unwrap();
    assert!(listed.as_array().unwrap().is_empty());
    let listed: Value = app
        .get_json("/v3/alm/stack?include_deleted=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["stack_status"], "DELETE_COMPLETE");
}

#[tokio::test]
async fn creating_a_stack_needs_create_machine_on_its_backend() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["create:alm.stack", "view:alm.stack", "view:backend"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let res = app
        .as_caller(
            Method::POST,
            "/v3/alm/template",
            &user,
            Some(template("libvirt", "kvm", 1)),
        )
        .await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("create:machine"), "{body}");
    assert!(app.services().db.stacks(true).await.unwrap().is_empty());
}

/// Two layers: `Web01` makes its machine, `Db01`'s size does not exist.
fn failing(keep: bool) -> Value {
    let mut t = template("libvirt", "kvm", 1);
    t["configurations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "db", "flag": "Db01", "provision": {"image": "none", "instance_type": "9cpu-1mb", "keypair": false}}));
    if keep {
        t["on_failure"] = json!("keep");
    }
    t
}

#[tokio::test]
async fn a_failed_create_rolls_back_or_with_on_failure_keep_keeps_what_was_made() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let id = apply(&app, failing(false)).await;
    let stack = wait_for(&app, &id, "ROLLBACK_COMPLETE").await;
    let statuses = statuses(&stack);
    assert_eq!(
        statuses,
        [
            "CREATE_IN_PROGRESS",
            "CREATE_FAILED",
            "ROLLBACK_IN_PROGRESS",
            "ROLLBACK_COMPLETE"
        ],
        "{stack}"
    );
    let nick = stack["nickname"].as_str().unwrap().to_owned();
    assert!(
        stack["instances"].as_object().unwrap().is_empty(),
        "{stack}"
    );
    let live = live_names(&app, &b).await;
    assert!(!live.iter().any(|n| n.starts_with(&nick)), "{live:?}");

    let id = apply(&app, failing(true)).await;
    let stack = wait_for(&app, &id, "CREATE_FAILED").await;
    let nick = stack["nickname"].as_str().unwrap();
    assert_eq!(
        stack["instances"]["Web01"][0]["name"],
        format!("{nick}-Web01-1"),
        "{stack}"
    );
    assert!(live_names(&app, &b)
        .await
        .contains(&format!("{nick}-Web01-1")));
}

#[tokio::test]
async fn a_viewer_sees_the_stack_but_not_its_token_and_may_not_delete_it() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template",
            Some(template("libvirt", "kvm", 1)),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for(&app, &id, "CREATE_COMPLETE").await;
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:alm.stack", "view:alm.template"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let res = app
        .as_caller(Method::GET, &format!("/v3/alm/stack/{id}"), &user, None)
        .await;
    assert_eq!(res.status(), 200);
    let seen: Value = res.json().await.unwrap();
    assert_eq!(seen["auth_token"], "****");
    let mine: Value = app
        .get_json(&format!("/v3/alm/stack/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["auth_token"].as_str().unwrap().len(), 64);
    let res = app
        .as_caller(Method::DELETE, &format!("/v3/alm/stack/{id}"), &user, None)
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("delete:alm.stack"));
    // Seeing stacks is not applying or updating one.
    let res = app
        .as_caller(
            Method::POST,
            "/v3/alm/template",
            &user,
            Some(template("libvirt", "kvm", 1)),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("create:alm.stack"));
    let res = app
        .as_caller(
            Method::PUT,
            &format!("/v3/alm/template/{id}"),
            &user,
            Some(template("libvirt", "kvm", 2)),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("edit:alm.stack"));
    assert_eq!(app.services().db.stacks(true).await.unwrap().len(), 1);
    assert_eq!(
        app.services().db.stack_versions(&id).await.unwrap().len(),
        1
    );
    let res = app
        .as_caller(Method::GET, "/v3/alm/stack", &user, None)
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap().as_array().unwrap().len(),
        1
    );
}
