//! The create wizard's server functions on libvirt's test driver
//! (`test:///default`): the first choices (the smallest size, the first
//! location), several machines at once (`name`, `name-2`), a count out of
//! range refused beside its field; and the Backends page's rights, one
//! answer for the whole list: a read-only user may add nothing, change
//! nothing, create nothing, and the wizard says so without asking the
//! provider.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{helpers::*, identity, stacks::libvirt_backend};

#[tokio::test]
async fn the_wizard_chooses_sensibly_and_creates_several_machines() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let res = app
        .get_json(&format!("/api/backends/wizard?backend={b}&search="))
        .await;
    assert_eq!(res.status(), 200);
    let wizard: Value = res.json().await.unwrap();
    assert_eq!(wizard["may_create"], true);
    assert_eq!(wizard["default_size"], "1cpu-512mb");
    assert_eq!(wizard["default_location"], wizard["locations"][0]["id"]);
    assert!(wizard["sizes"][0]["cpus"].is_number(), "{wizard}");
    let location = wizard["default_location"].as_str().unwrap().to_owned();

    let csrf = app.csrf();
    let form = |count: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("backend", b.clone()),
            ("name", "wiz".to_owned()),
            ("size", "1cpu-512mb".to_owned()),
            ("image", "none".to_owned()),
            ("location", location.clone()),
            ("count", count.to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let csrf = csrf.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.server_fn("machines/create", &form, Some(&csrf)).await
        }
    };
    let res = post(form("21")).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "count", "{body}");

    let res = post(form("2")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let listed: Value = app
        .get_json(&format!("/backends/{b}/machines"))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert!(
        names.contains(&"wiz") && names.contains(&"wiz-2"),
        "{names:?}"
    );
}

#[tokio::test]
async fn the_backends_list_says_what_each_caller_may_do() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let res = app.get_json("/api/backends/rows").await;
    assert_eq!(res.status(), 200);
    let rows: Value = res.json().await.unwrap();
    assert_eq!(rows["may_add"], true);
    assert_eq!(
        rows["rows"][0]["may"],
        json!({"edit": true, "delete": true, "create_machine": true})
    );

    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let viewer = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let res = app
        .as_caller(Method::GET, "/api/backends/rows", &viewer, None)
        .await;
    assert_eq!(res.status(), 200);
    let rows: Value = res.json().await.unwrap();
    assert_eq!(rows["may_add"], false);
    assert_eq!(
        rows["rows"][0]["may"],
        json!({"edit": false, "delete": false, "create_machine": false})
    );
    let res = app
        .as_caller(
            Method::GET,
            &format!("/api/backends/wizard?backend={b}&search="),
            &viewer,
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let wizard: Value = res.json().await.unwrap();
    assert_eq!(wizard["may_create"], false);
    assert_eq!(wizard["sizes"], json!([]));
    // The page says so, with no form.
    let page = app
        .as_caller(Method::GET, &format!("/backends/{b}/create"), &viewer, None)
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"may-not-create\""), "{html}");
    assert!(!html.contains("id=\"create-machine\""));
}

#[tokio::test]
async fn a_bare_metal_host_brings_its_key_and_a_refused_one_leaves_none() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let app = &lab.app;
    let private = lab.key.private_openssh();
    let port = lab.sshd.port.to_string();
    let form =
        |title: &'static str, key: &'static str, port: &str| -> Vec<(&'static str, String)> {
            vec![
                ("title", title.to_owned()),
                ("provider", "bare_metal".to_owned()),
                ("machine_ip", "127.0.0.1".to_owned()),
                ("machine_user", lab.sshd.user.clone()),
                ("machine_port", port.to_owned()),
                ("key_name", key.to_owned()),
                ("private_key", private.clone()),
            ]
        };
    let post = |form: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.server_fn("backends/add", &form, Some(&app.csrf()))
            .await
    };
    let keys = || async {
        let listed: Value = app.get_json("/keys").await.json().await.unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|k| k["name"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    // A host that refuses (nothing listens on port 1): the key goes again.
    let res = post(form("nowhere", "brought", "1")).await;
    assert!(!res.status().is_success(), "{}", res.text().await.unwrap());
    assert!(!keys().await.contains(&"brought".to_owned()));
    // The host takes it: the key is imported and used.
    let res = post(form("host", "brought", &port)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(keys().await.contains(&"brought".to_owned()));
    // A key without a name is refused beside its field.
    let res = post(form("host-2", "", &port)).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "key_name", "{body}");
}
