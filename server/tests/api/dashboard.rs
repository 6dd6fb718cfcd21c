//! The Home dashboard (`GET /v3/dashboard`, the server function
//! `/api/dashboard`): a new installation's checklist ticks itself, counts
//! match the lists, and each caller sees only what the lists show them.
//!
//! A user who may see nothing gets 200 with empty sections (no checklist,
//! no backends, no machines, no scripts) and their own activity only: the
//! dashboard is every signed-in user's home page (listed as self-service
//! in `guard.rs`).

#![cfg_attr(not(feature = "libvirt"), allow(dead_code, unused_imports))]

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::{helpers::*, identity};

async fn dashboard(app: &TestApp) -> Value {
    let res = app.get_json("/v3/dashboard").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn dashboard_as(app: &TestApp, authorization: &str) -> Value {
    let res = app
        .as_caller(Method::GET, "/v3/dashboard", authorization, None)
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn anonymous_callers_are_refused() {
    let app = TestApp::signed_in().await;
    let res = app
        .anonymous_client()
        .get(app.url("/v3/dashboard"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated", "{body}");
}

#[tokio::test]
async fn a_new_installation_has_an_unticked_checklist_and_nothing_to_count() {
    let app = TestApp::signed_in().await;
    let d = dashboard(&app).await;
    assert_eq!(
        d["checklist"],
        json!({"key": false, "backend": false, "machine": false,
               "may_add_key": true, "may_add_backend": true, "may_create_machine": true})
    );
    assert_eq!(d["backends"], json!([]));
    assert_eq!(d["machines"], json!([]));
    assert_eq!(d["machines_total"], 0);
    assert_eq!(d["scripts"], json!({"count": 0, "latest": []}));
    // The master may open every section: the dashboard links to each.
    assert_eq!(
        d["sections"],
        json!({"backends": true, "machines": true, "keys": true, "stacks": true, "admin": true})
    );
    // A key ticks the first step, and the key's creation is activity.
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"id": "first-key"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let d = dashboard(&app).await;
    assert_eq!(
        d["checklist"],
        json!({"key": true, "backend": false, "machine": false,
               "may_add_key": true, "may_add_backend": true, "may_create_machine": true})
    );
    let activity = d["activity"].as_array().unwrap();
    assert!(!activity.is_empty() && activity.len() <= 10, "{d}");
    assert_eq!(activity[0]["actor"], MASTER_EMAIL, "{d}");
    assert_eq!(activity[0]["resource"], "key/first-key", "{d}");
    assert!(activity[0].get("address").is_none(), "no addresses: {d}");
}

/// `{state: count}` of a list of machines.
fn by_state(machines: &[Value]) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for m in machines {
        *counts
            .entry(m["state"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    counts
}

fn counted(d: &Value) -> BTreeMap<String, i64> {
    d["machines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["state"].as_str().unwrap().to_owned(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The dashboard and the machine lists of `backends` as `authorization`
/// (the master's session when `None`) gets them, read until no poll changed
/// the lists in between (other tests share libvirt's test hypervisor).
async fn read_together(
    app: &TestApp,
    authorization: Option<&str>,
    backends: &[&str],
) -> (Value, Vec<Vec<Value>>) {
    let lists = || async {
        let mut all = Vec::new();
        for b in backends {
            let path = format!("/backends/{b}/machines");
            let res = match authorization {
                Some(auth) => app.as_caller(Method::GET, &path, auth, None).await,
                None => app.get_json(&path).await,
            };
            assert_eq!(res.status(), 200);
            all.push(res.json::<Vec<Value>>().await.unwrap());
        }
        all
    };
    for _ in 0..20 {
        let before = lists().await;
        let d = match authorization {
            Some(auth) => dashboard_as(app, auth).await,
            None => dashboard(app).await,
        };
        if lists().await == before {
            return (d, before);
        }
    }
    panic!("the machine lists never held still");
}

#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_backend_and_its_machines_tick_the_checklist_and_are_counted() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "k"})))
        .await;
    assert_eq!(res.status(), 200);
    let b = crate::stacks::libvirt_backend(&app).await;
    let (d, lists) = read_together(&app, None, &[&b]).await;
    let machines = &lists[0];
    assert!(!machines.is_empty(), "the test hypervisor has a machine");
    // Every step is done: the page hides the checklist.
    assert_eq!(
        d["checklist"],
        json!({"key": true, "backend": true, "machine": true,
               "may_add_key": true, "may_add_backend": true, "may_create_machine": true})
    );
    let backends = d["backends"].as_array().unwrap();
    assert_eq!(backends.len(), 1, "{d}");
    assert_eq!(backends[0]["id"], b.as_str());
    assert_eq!(backends[0]["title"], "kvm");
    assert_eq!(backends[0]["provider"], "libvirt");
    assert_eq!(backends[0]["machines"], machines.len() as i64);
    assert_eq!(d["machines_total"], machines.len() as i64);
    assert_eq!(counted(&d), by_state(machines), "{d}");

    // Both doors answer the same.
    let res = app.get_json("/api/dashboard").await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["backends"], d["backends"]);
    assert_eq!(page["machines"], d["machines"]);
    assert_eq!(page["checklist"], d["checklist"]);
}

#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_role_less_user_sees_empty_sections_and_only_their_own_activity() {
    let app = TestApp::signed_in().await;
    crate::stacks::libvirt_backend(&app).await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let nobody = basic("nobody@example.com", MASTER_PASSWORD);
    let d = dashboard_as(&app, &nobody).await;
    assert!(d["checklist"].is_null(), "setting up is not theirs: {d}");
    assert_eq!(d["backends"], json!([]));
    assert_eq!(d["machines"], json!([]));
    assert_eq!(d["machines_total"], 0);
    assert_eq!(d["scripts"]["count"], 0);
    assert_eq!(
        d["sections"],
        json!({"backends": false, "machines": false, "keys": false, "stacks": false, "admin": false})
    );
    for a in d["activity"].as_array().unwrap() {
        assert!(
            a["actor"]
                .as_str()
                .unwrap()
                .starts_with("nobody@example.com"),
            "another's activity: {d}"
        );
    }
    // A refused action of theirs is their activity.
    let res = app
        .as_caller(
            Method::POST,
            "/keys/generate",
            &nobody,
            Some(json!({"id": "theirs"})),
        )
        .await;
    assert_eq!(res.status(), 403);
    let d = dashboard_as(&app, &nobody).await;
    let activity = d["activity"].as_array().unwrap();
    assert!(
        activity.iter().all(|a| a["actor"] == "nobody@example.com"),
        "{d}"
    );
}

#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_user_sees_only_the_backends_and_machines_their_role_shows() {
    let app = TestApp::signed_in().await;
    let seen = crate::stacks::libvirt_backend(&app).await;
    let hidden = crate::stacks::add_backend(
        &app,
        json!({"title": "other", "provider": "libvirt", "apiurl": "test:///default"}),
    )
    .await;
    identity::create_user_with_scope(
        &app,
        json!({"Statement": [{
            "Effect": "Allow",
            "Action": ["view:backend", "view:machine"],
            "Resource": [format!("backend/{seen}"), format!("backend/{seen}/machine/*")]
        }]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let (d, lists) = read_together(&app, Some(&user), &[&seen]).await;
    let listed = &lists[0];
    let backends = d["backends"].as_array().unwrap();
    assert_eq!(backends.len(), 1, "{d}");
    assert_eq!(backends[0]["id"], seen.as_str());
    assert!(!d.to_string().contains(&hidden), "{d}");
    assert!(d["checklist"].is_null(), "{d}");
    // It links only to the sections their role opens.
    assert_eq!(
        d["sections"],
        json!({"backends": true, "machines": true, "keys": false, "stacks": false, "admin": false})
    );

    // The counts are those of the machine list the user gets.
    assert_eq!(backends[0]["machines"], listed.len() as i64);
    assert_eq!(d["machines_total"], listed.len() as i64);
    assert_eq!(counted(&d), by_state(listed));
    // The master's backends' audit is not theirs to read.
    for a in d["activity"].as_array().unwrap() {
        assert_eq!(a["actor"], identity::USER_EMAIL, "{d}");
    }
    // The master sees both backends, each with its machines.
    let (d, lists) = read_together(&app, None, &[&seen, &hidden]).await;
    assert_eq!(d["backends"].as_array().unwrap().len(), 2, "{d}");
    let both = lists[0].len() + lists[1].len();
    assert_eq!(d["machines_total"], both as i64, "{d}");
    let all: Vec<Value> = lists.concat();
    assert_eq!(counted(&d), by_state(&all), "{d}");
}

/// Someone who may read the audit log sees a stack's events among the
/// activity when they may see the stack, and not otherwise.
#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_stack_s_events_are_activity_for_those_who_may_see_it() {
    let app = TestApp::signed_in().await;
    crate::stacks::libvirt_backend(&app).await;
    let stack = crate::stacks::apply(&app, crate::stacks::template("libvirt", "kvm", 1)).await;
    let resource = format!("stack/{stack}");
    identity::create_user_with_scope(
        &app,
        json!({"Statement": [{
            "Effect": "Allow",
            "Action": ["view:audit", "view:alm.stack"],
            "Resource": ["*"]
        }]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let about_the_stack = |d: &Value| {
        d["activity"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["resource"] == resource.as_str() && a["action"] == "create:alm.stack")
    };
    let d = dashboard_as(&app, &user).await;
    assert!(about_the_stack(&d), "{d}");

    // Without the stack's view right, its events are not theirs to see.
    let res = app
        .api(
            Method::GET,
            &format!("/v3/user/{}/role", identity::USER),
            None,
        )
        .await;
    let role = res.json::<Value>().await.unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::PUT,
            &format!("/v3/role/{role}"),
            Some(json!({"name": "audit only", "scope": {"Statement": [{
                "Effect": "Allow", "Action": ["view:audit"], "Resource": ["*"]
            }]}})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let d = dashboard_as(&app, &user).await;
    assert!(!about_the_stack(&d), "{d}");
}
