//! Honest buttons: every listing a page reads says, in the same answer,
//! what the caller may do on each thing listed (`service::rights`), for
//! the master, a read-only user (`view:*`) and a narrowed role; and the
//! Keys page says "opens as <user> (sudo)" only for an association a login
//! proved.

#![cfg_attr(not(feature = "libvirt"), allow(dead_code, unused_imports))]

use reqwest::Method;
use serde_json::{json, Value};

use crate::{helpers::*, machines::Lab, users::user_with_scope};

fn read_only() -> Value {
    json!({"Statement": [{"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}]})
}

/// A server function's answer (GET): as the master's session when
/// `caller` is `None`, else with those credentials.
async fn read(app: &TestApp, caller: Option<&str>, path: &str) -> Value {
    let res = match caller {
        None => app.get_json(path).await,
        Some(who) => app.as_caller(Method::GET, path, who, None).await,
    };
    assert_eq!(res.status(), 200, "{path}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

/// name -> may, from the Keys page's listing.
fn key_rights(listing: &Value) -> Vec<(String, Value)> {
    listing["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"]["name"].as_str().unwrap().to_owned(),
                k["may"].clone(),
            )
        })
        .collect()
}

fn all(value: bool) -> Value {
    json!({"rename": value, "set_default": value, "delete": value, "read_private": value})
}

#[tokio::test]
async fn keys_sections_stacks_and_the_checklist_say_what_each_caller_may_do() {
    let app = TestApp::signed_in().await;
    for name in ["k1", "k2"] {
        let res = app
            .api(Method::POST, "/keys/generate", Some(json!({"id": name})))
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    let reader = user_with_scope(&app, "reader", Some(read_only())).await;
    let narrow = user_with_scope(
        &app,
        "narrow",
        Some(json!({"Statement": [
            {"Effect": "Allow", "Action": ["view:key", "create:key"], "Resource": ["*"]},
            {"Effect": "Allow", "Action": ["edit:key"], "Resource": ["key/k1"]},
            {"Effect": "Allow", "Action": ["delete:key"], "Resource": ["key/k2"]}
        ]})),
    )
    .await;

    // The master: everything.
    let keys = read(&app, None, "/api/keys/listing").await;
    assert_eq!(keys["may_create"], true, "{keys}");
    assert_eq!(
        key_rights(&keys),
        vec![("k1".into(), all(true)), ("k2".into(), all(true))]
    );
    let session = read(&app, None, "/api/session_info").await;
    assert_eq!(
        session["sections"],
        json!({"backends": true, "machines": true, "keys": true, "stacks": true, "admin": true})
    );
    let board = read(&app, None, "/api/dashboard").await;
    assert_eq!(board["checklist"]["may_add_key"], true, "{board}");
    assert_eq!(board["checklist"]["may_add_backend"], true, "{board}");
    assert_eq!(board["checklist"]["may_create_machine"], true, "{board}");
    assert_eq!(
        read(&app, None, "/api/stacks/list").await["may_create"],
        true
    );

    // Read-only: every section to look at, nothing to change.
    let keys = read(&app, Some(&reader), "/api/keys/listing").await;
    assert_eq!(keys["may_create"], false, "{keys}");
    assert_eq!(
        key_rights(&keys),
        vec![("k1".into(), all(false)), ("k2".into(), all(false))]
    );
    let session = read(&app, Some(&reader), "/api/session_info").await;
    assert_eq!(
        session["sections"],
        json!({"backends": true, "machines": true, "keys": true, "stacks": true, "admin": false})
    );
    let board = read(&app, Some(&reader), "/api/dashboard").await;
    assert!(
        board["checklist"].is_null(),
        "setting up is not theirs: {board}"
    );
    let stacks = read(&app, Some(&reader), "/api/stacks/list").await;
    assert_eq!(stacks["may_create"], false, "{stacks}");

    // Narrowed: what the role names, key by key.
    let keys = read(&app, Some(&narrow), "/api/keys/listing").await;
    assert_eq!(keys["may_create"], true, "{keys}");
    assert_eq!(
        key_rights(&keys),
        vec![
            (
                "k1".into(),
                json!({"rename": true, "set_default": true, "delete": false, "read_private": false})
            ),
            (
                "k2".into(),
                json!({"rename": false, "set_default": false, "delete": true, "read_private": false})
            ),
        ]
    );
    let session = read(&app, Some(&narrow), "/api/session_info").await;
    assert_eq!(
        session["sections"],
        json!({"backends": false, "machines": false, "keys": true, "stacks": false, "admin": false})
    );
    let board = read(&app, Some(&narrow), "/api/dashboard").await;
    assert_eq!(
        board["checklist"],
        json!({"key": true, "backend": false, "machine": false,
               "may_add_key": true, "may_add_backend": false, "may_create_machine": false}),
        "{board}"
    );
}

/// The machine page's detail carries what the caller may do there.
#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_machine_page_says_what_each_caller_may_do_on_it() {
    let app = TestApp::signed_in().await;
    let b = crate::stacks::libvirt_backend(&app).await;
    let machines = read(&app, None, &format!("/backends/{b}/machines")).await;
    let m = machines[0]["id"].as_str().unwrap().to_owned();
    let reader = user_with_scope(&app, "reader", Some(read_only())).await;
    let tagger = user_with_scope(
        &app,
        "tagger",
        Some(json!({"Statement": [
            {"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]},
            {"Effect": "Allow", "Action": ["tag:machine"], "Resource": [format!("backend/{b}/machine/{m}")]}
        ]})),
    )
    .await;
    let stopper = user_with_scope(
        &app,
        "stopper",
        Some(json!({"Statement": [
            {"Effect": "Allow", "Action": ["view:*", "stop:machine"], "Resource": ["*"]}
        ]})),
    )
    .await;
    let path = format!("/api/machines/detail?backend={b}&machine={m}");
    let every = |v: bool| json!({"shell": v, "tag": v, "accept_host_key": v, "forget": v, "deploy_key": v, "power": v});
    let only = |right: &str| {
        let mut may = every(false);
        may[right] = json!(true);
        may
    };
    assert_eq!(read(&app, None, &path).await["may"], every(true));
    assert_eq!(read(&app, Some(&reader), &path).await["may"], every(false));
    assert_eq!(read(&app, Some(&tagger), &path).await["may"], only("tag"));
    // A power action anywhere on it counts, whatever the state allows.
    assert_eq!(
        read(&app, Some(&stopper), &path).await["may"],
        only("power")
    );
}

/// (proof, user, sudo) of each machine key `name` opens, from the Keys
/// page's listing.
async fn proofs(app: &TestApp, name: &str) -> Vec<(String, String, bool)> {
    let listing = read(app, None, "/api/keys/listing").await;
    listing["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"]["name"] == name)
        .unwrap_or_else(|| panic!("no key {name}: {listing}"))["opens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["proof"].as_str().unwrap().to_owned(),
                o["ssh_user"].as_str().unwrap().to_owned(),
                o["sudo"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// A key installed when Overcast created the machine is "installed at
/// creation, not yet used" (never used: `last_used` 0 in the REST list too).
#[cfg(feature = "libvirt")]
#[tokio::test]
async fn a_key_given_at_creation_is_not_proven_until_a_login_uses_it() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "given"})))
        .await;
    assert_eq!(res.status(), 200);
    let b = crate::stacks::libvirt_backend(&app).await;
    let location = read(&app, None, &format!("/backends/{b}/locations")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(
                json!({"name": "vm-given", "size": "1cpu-512mb", "image": "none",
                        "location": location, "key": "given"}),
            ),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    assert_eq!(
        proofs(&app, "given").await,
        vec![("creation".to_owned(), "root".to_owned(), true)]
    );
    let keys = read(&app, None, "/keys").await;
    assert_eq!(keys[0]["machines"][0][2], 0, "never used: {keys}");
}

/// An association a login made is proven ("opens as <user>", sudo as the
/// login found it); one said by hand is not, until a login uses it.
#[tokio::test]
async fn a_login_proves_an_association_and_a_hand_made_one_is_not_proven() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let user = lab.sshd.user.clone();
    assert_eq!(
        proofs(&lab.app, "lab").await,
        vec![("login".to_owned(), user.clone(), user == "root")]
    );
    let res = lab
        .app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "other"})))
        .await;
    assert!(res.status().is_success());
    let res = lab
        .app
        .api(
            Method::PUT,
            &format!("/backends/{b}/machines/{m}/keys/other"),
            Some(json!({"user": "ops", "sudo": true})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        proofs(&lab.app, "other").await,
        vec![("hand".to_owned(), "ops".to_owned(), true)]
    );
}
