//! Callers refused before their input is read, and the address every door records.

use super::*;

#[tokio::test]
async fn a_role_less_user_is_refused_before_the_input_is_read_at_both_doors() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    // API credentials open both doors: the server function as well.
    let page = answer(
        app.anonymous_client()
            .post(app.url("/api/keys/generate"))
            .header(
                reqwest::header::AUTHORIZATION,
                basic("nobody@example.com", MASTER_PASSWORD),
            )
            .form(&[("id", ""), ("algorithm", "dsa")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let api = answer(
        app.as_caller(
            Method::POST,
            "/keys/generate",
            &basic("nobody@example.com", MASTER_PASSWORD),
            Some(json!({"id": "", "algorithm": "dsa"})),
        )
        .await,
    )
    .await;
    assert_eq!(page.0, 403, "{page:?}");
    assert_eq!(page, api);
}

#[tokio::test]
async fn a_role_less_user_is_refused_tokens_machines_scripts_and_keys_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let auth = basic("nobody@example.com", MASTER_PASSWORD);
    let machine = format!("/backends/{b}/machines/{m}");
    let long = "x".repeat(200);
    let cases: Vec<BuiltCase> = vec![
        (
            "machines/act",
            vec![("backend", &b), ("machine", &m), ("action", "explode")],
            Method::POST,
            machine.clone(),
            json!({"action": "explode"}),
        ),
        (
            "machines/act",
            vec![("backend", &b), ("machine", &m), ("action", "stop")],
            Method::POST,
            machine.clone(),
            json!({"action": "stop"}),
        ),
        (
            "machines/create",
            vec![("backend", &b)],
            Method::POST,
            format!("/backends/{b}/machines"),
            json!({}),
        ),
        (
            "machines/tags",
            vec![("backend", &b), ("machine", &m), ("tags", &long)],
            Method::PUT,
            format!("{machine}/tags"),
            json!({"tags": [long]}),
        ),
        (
            "scripts/start",
            vec![("backend", &b), ("machine", &m), ("script", "")],
            Method::POST,
            format!("{machine}/scripts"),
            json!({"script": ""}),
        ),
        (
            "keys/import",
            vec![("id", "bad/name"), ("private_key", "not a key")],
            Method::PUT,
            "/keys".into(),
            json!({"id": "bad/name", "priv": "not a key"}),
        ),
        (
            "keys/rename",
            vec![("id", "lab"), ("new_id", "bad/name")],
            Method::PUT,
            "/keys/lab".into(),
            json!({"new_id": "bad/name"}),
        ),
        (
            "keys/delete",
            vec![("id", "no-such-key")],
            Method::DELETE,
            "/keys/no-such-key".into(),
            json!({}),
        ),
    ];
    for (server_fn, form, method, path, body) in cases {
        let page = page_as(app, &auth, server_fn, &form).await;
        let api = answer(app.as_caller(method, &path, &auth, Some(body)).await).await;
        assert_eq!(page.0, 403, "{server_fn}: {page:?}");
        assert_eq!(page, api, "{server_fn}");
    }
}

#[tokio::test]
async fn every_door_records_the_callers_address_in_the_audit_log() {
    let app = TestApp::signed_in().await;
    let generate = |id: &str| json!({"id": id, "algorithm": "ed25519"});
    // The page's server function and REST, both on the cookie session.
    let res = app
        .server_fn(
            "keys/generate",
            &[("id", "by-page"), ("algorithm", "ed25519")],
            Some(&app.csrf()),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(Method::POST, "/keys/generate", Some(generate("by-session")))
        .await;
    assert_eq!(res.status(), 200);
    // REST with an API token and with Basic credentials.
    let token = app
        .api(Method::POST, "/tokens", Some(json!({"name": "doors"})))
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .as_caller(
            Method::POST,
            "/keys/generate",
            &format!("Token {token}"),
            Some(generate("by-token")),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .as_caller(
            Method::POST,
            "/keys/generate",
            &basic(MASTER_EMAIL, MASTER_PASSWORD),
            Some(generate("by-basic")),
        )
        .await;
    assert_eq!(res.status(), 200);
    // A refusal, which the middleware records.
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .as_caller(
            Method::POST,
            "/keys/generate",
            &basic("nobody@example.com", MASTER_PASSWORD),
            Some(generate("refused")),
        )
        .await;
    assert_eq!(res.status(), 403);

    let audit = app.services().db.recent_audit(100).await.unwrap();
    for id in ["by-page", "by-session", "by-token", "by-basic"] {
        let entry = audit
            .iter()
            .find(|e| e.action == "create:key" && e.resource == format!("key/{id}"))
            .unwrap_or_else(|| panic!("{id} audited"));
        assert_eq!(entry.address, "127.0.0.1", "{id}");
    }
    let denied = audit
        .iter()
        .find(|e| e.outcome == "denied" && e.actor == "nobody@example.com")
        .expect("the refusal audited");
    assert_eq!(denied.address, "127.0.0.1");
}
