//! One operation, one answer, whichever door: the page's server function
//! and the REST route give the same status and the same error body for the
//! same bad input, because both hand the raw input to the same service
//! function, which authorises, then validates, then acts.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::*;

async fn answer(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The page's door (a server function, as the hydrated page calls it) and
/// the REST door, for the same input.
async fn both(
    app: &TestApp,
    server_fn: &str,
    form: &[(&str, &str)],
    rest: (Method, &str, Value),
) -> ((u16, Value), (u16, Value)) {
    let page = answer(app.server_fn(server_fn, form, Some(&app.csrf())).await).await;
    let api = answer(app.api(rest.0, rest.1, Some(rest.2)).await).await;
    (page, api)
}

#[tokio::test]
async fn key_generation_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (algorithm, id) in [("dsa", "k1"), ("rsa", "  "), ("ed25519", "bad/name")] {
        let (page, api) = both(
            &app,
            "keys/generate",
            &[("id", id), ("algorithm", algorithm)],
            (
                Method::POST,
                "/keys/generate",
                json!({"id": id, "algorithm": algorithm}),
            ),
        )
        .await;
        assert_eq!(page.0, 400, "{algorithm} {id:?}: {page:?}");
        assert_eq!(page, api, "{algorithm} {id:?}");
    }
    // RSA 4096 by any of its names, at both doors.
    for (door, name) in [("page", "rsa-a"), ("api", "rsa-b")] {
        let status = if door == "page" {
            app.server_fn(
                "keys/generate",
                &[("id", name), ("algorithm", "rsa4096")],
                Some(&app.csrf()),
            )
            .await
            .status()
        } else {
            app.api(
                Method::POST,
                "/keys/generate",
                Some(json!({"id": name, "algorithm": "RSA4096"})),
            )
            .await
            .status()
        };
        assert_eq!(status, 200, "{door}");
    }
}

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
async fn accepting_a_host_key_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let (page, api) = both(
        &app,
        "machines/accept_host_key",
        &[("backend", "b"), ("machine", "m"), ("fingerprint", " ")],
        (
            Method::POST,
            "/backends/b/machines/m/host_key",
            json!({"fingerprint": " "}),
        ),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
    // Named, but for a machine that is not there: 404 at both.
    let (page, api) = both(
        &app,
        "machines/accept_host_key",
        &[
            ("backend", "b"),
            ("machine", "m"),
            ("fingerprint", "SHA256:x"),
        ],
        (
            Method::POST,
            "/backends/b/machines/m/host_key",
            json!({"fingerprint": "SHA256:x"}),
        ),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
    assert_eq!(page, api);
}

#[tokio::test]
async fn creating_a_user_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (username, email, password) in [
        ("alice", "not-an-email", ""),
        ("", "alice@example.com", ""),
        ("  ", "alice@example.com", ""),
        ("Bad Name", "alice@example.com", ""),
        ("alice", "alice@example.com", "short"),
    ] {
        let (page, api) = both(
            &app,
            "admin/create_user",
            &[
                ("username", username),
                ("email", email),
                ("password", password),
            ],
            (
                Method::POST,
                "/v3/user",
                json!({"username": username, "email": email, "password": password}),
            ),
        )
        .await;
        assert_eq!(page.0, 400, "{username:?} {email:?} {password:?}: {page:?}");
        assert_eq!(page, api, "{username:?} {email:?} {password:?}");
    }
}

#[tokio::test]
async fn creating_a_role_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (name, scope) in [
        ("ops", "{"),
        ("ops", "5"),
        ("ops", r#"{"allow": "everything"}"#),
        ("ops", r#"[{"action": "fly", "resource": "*"}]"#),
        ("", "{}"),
    ] {
        let page = answer(
            app.server_fn(
                "admin/create_role",
                &[("name", name), ("scope", scope)],
                Some(&app.csrf()),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, 400, "{name:?} {scope}: {page:?}");
        // The REST door takes the scope as a JSON document or as its text.
        let as_text = answer(
            app.api(
                Method::POST,
                "/v3/role",
                Some(json!({"name": name, "scope": scope})),
            )
            .await,
        )
        .await;
        assert_eq!(page, as_text, "{name:?} {scope} (as text)");
        if let Ok(document) = serde_json::from_str::<Value>(scope) {
            let as_json = answer(
                app.api(
                    Method::POST,
                    "/v3/role",
                    Some(json!({"name": name, "scope": document})),
                )
                .await,
            )
            .await;
            assert_eq!(page, as_json, "{name:?} {scope} (as JSON)");
        }
    }
}

#[tokio::test]
async fn adding_a_backend_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (title, provider) in [
        ("", "bare_metal"),
        ("   ", "bare_metal"),
        ("lab", ""),
        ("lab", "no_such_cloud"),
    ] {
        let (page, api) = both(
            &app,
            "backends/add",
            &[("title", title), ("provider", provider)],
            (
                Method::POST,
                "/backends",
                json!({"title": title, "provider": provider}),
            ),
        )
        .await;
        assert_eq!(page.0, 400, "{title:?} {provider:?}: {page:?}");
        assert_eq!(page, api, "{title:?} {provider:?}");
    }
}

#[tokio::test]
async fn renaming_a_backend_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (id, new_name) in [("b", ""), ("b", "   "), ("b", "lab")] {
        let (page, api) = both(
            &app,
            "backends/rename",
            &[("id", id), ("new_name", new_name)],
            (
                Method::PUT,
                &format!("/backends/{id}"),
                json!({"new_name": new_name}),
            ),
        )
        .await;
        assert!(matches!(page.0, 400 | 404), "{id:?} {new_name:?}: {page:?}");
        assert_eq!(page, api, "{id:?} {new_name:?}");
    }
}

/// A server function with its form, and the REST route with its body.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Method, &'a str, Value);

#[tokio::test]
async fn a_non_master_is_refused_users_roles_and_backends_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let auth = basic("nobody@example.com", MASTER_PASSWORD);
    let cases: [Case; 4] = [
        (
            "admin/create_user",
            &[("username", ""), ("email", "x"), ("password", "")],
            Method::POST,
            "/v3/user",
            json!({"username": "", "email": "x", "password": ""}),
        ),
        (
            "admin/create_role",
            &[("name", ""), ("scope", "{")],
            Method::POST,
            "/v3/role",
            json!({"name": "", "scope": "{"}),
        ),
        (
            "backends/add",
            &[("title", ""), ("provider", "no_such_cloud")],
            Method::POST,
            "/backends",
            json!({"title": "", "provider": "no_such_cloud"}),
        ),
        (
            "backends/rename",
            &[("id", "b"), ("new_name", "")],
            Method::PUT,
            "/backends/b",
            json!({"new_name": ""}),
        ),
    ];
    for (server_fn, form, method, path, body) in cases {
        let page = answer(
            app.anonymous_client()
                .post(app.url(&format!("/api/{server_fn}")))
                .header(reqwest::header::AUTHORIZATION, &auth)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let api = answer(app.as_caller(method, path, &auth, Some(body)).await).await;
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
