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

#[tokio::test]
async fn enabling_a_backend_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (value, status) in [
        ("maybe", 400),
        ("", 400),
        ("2", 400),
        ("1", 404),
        ("0", 404),
        ("True", 404),
        ("false", 404),
    ] {
        let (page, api) = both(
            &app,
            "backends/set_enabled",
            &[("id", "b"), ("enabled", value)],
            (Method::POST, "/backends/b", json!({"new_state": value})),
        )
        .await;
        assert_eq!(page.0, status, "{value:?}: {page:?}");
        assert_eq!(page, api, "{value:?}");
    }
}

/// A server function with its form, and the REST route with its body.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Method, &'a str, Value);

/// A form's fields.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// [`Case`] with the form and the path built by the test.
type BuiltCase<'a> = (&'a str, Form<'a>, Method, String, Value);

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

/// The status and body of a server function called with API credentials
/// (no cookies), as `auth` would call it.
async fn page_as(
    app: &TestApp,
    auth: &str,
    server_fn: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    answer(
        app.anonymous_client()
            .post(app.url(&format!("/api/{server_fn}")))
            .header(reqwest::header::AUTHORIZATION, auth)
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn creating_a_token_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let long = "n".repeat(101);
    // (name, ttl_days, scope), each as the page's form sends it.
    for (name, ttl, scope) in [
        ("", "", ""),
        ("   ", "", ""),
        (long.as_str(), "", ""),
        ("t", "0", ""),
        ("t", "99999", ""),
        ("t", "-1", ""),
        ("t", "a week", ""),
        ("t", "1.5", ""),
        ("t", "", "{"),
        ("t", "", "5"),
        ("t", "", r#"{"allow": "everything"}"#),
        ("t", "", r#"{"Statement": []}"#),
        ("t", "", r#"[{"action": "fly", "resource": "*"}]"#),
    ] {
        let what = format!("{name:?} {ttl:?} {scope:?}");
        let page = answer(
            app.server_fn(
                "account/create_token",
                &[("name", name), ("ttl_days", ttl), ("scope", scope)],
                Some(&app.csrf()),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, 400, "{what}: {page:?}");
        // The REST door takes the lifetime as a number or as its text, and
        // the scope as a JSON document or as its text.
        let mut bodies = vec![json!({"name": name, "ttl_days": ttl, "scope": scope})];
        if let Ok(days) = ttl.parse::<i64>() {
            bodies.push(json!({"name": name, "ttl_days": days, "scope": scope}));
        }
        if let Ok(document) = serde_json::from_str::<Value>(scope) {
            bodies.push(json!({"name": name, "ttl_days": ttl, "scope": document}));
        }
        for body in bodies {
            let api = answer(app.api(Method::POST, "/tokens", Some(body.clone())).await).await;
            assert_eq!(page, api, "{what}: {body}");
        }
    }
    // Nothing given at all: the service's complaint, not the codec's.
    let (page, api) = both(
        &app,
        "account/create_token",
        &[],
        (Method::POST, "/tokens", json!({})),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page.1["field"], "name", "{page:?}");
    assert_eq!(page, api);
    // Well formed at both doors: a token each, no expiry, no scope.
    for (door, name) in [("page", "by-page"), ("api", "by-api")] {
        let status = if door == "page" {
            app.server_fn(
                "account/create_token",
                &[("name", name), ("ttl_days", " "), ("scope", " ")],
                Some(&app.csrf()),
            )
            .await
            .status()
        } else {
            app.api(
                Method::POST,
                "/tokens",
                Some(json!({"name": name, "ttl_days": " ", "scope": " "})),
            )
            .await
            .status()
        };
        assert!(status.is_success(), "{door}: {status}");
    }
}

#[tokio::test]
async fn a_narrowed_token_is_refused_a_token_before_its_input_is_read_at_both_doors() {
    let app = TestApp::signed_in().await;
    let created: Value = app
        .api(
            Method::POST,
            "/tokens",
            Some(json!({"name": "narrow", "scope": {"Statement": [
                {"Effect": "Allow", "Action": "view:key", "Resource": "*"}
            ]}})),
        )
        .await
        .json()
        .await
        .unwrap();
    let auth = format!("Token {}", created["token"].as_str().unwrap());
    for (name, ttl, scope) in [("", "", ""), ("t", "a week", ""), ("t", "", "{")] {
        let what = format!("{name:?} {ttl:?} {scope:?}");
        let page = page_as(
            &app,
            &auth,
            "account/create_token",
            &[("name", name), ("ttl_days", ttl), ("scope", scope)],
        )
        .await;
        let api = answer(
            app.as_caller(
                Method::POST,
                "/tokens",
                &auth,
                Some(json!({"name": name, "ttl_days": ttl, "scope": scope})),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, 403, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}

#[tokio::test]
async fn revoking_an_unknown_token_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (id, path) in [
        ("no-such-token", "/tokens/no-such-token"),
        (" x ", "/tokens/%20x%20"),
    ] {
        let (page, api) = both(
            &app,
            "account/revoke_token",
            &[("id", id)],
            (Method::DELETE, path, json!({})),
        )
        .await;
        assert_eq!(page.0, 404, "{id:?}: {page:?}");
        assert_eq!(page, api, "{id:?}");
    }
    let (page, _) = both(
        &app,
        "account/revoke_token",
        &[],
        (Method::DELETE, "/tokens/x", json!({})),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
}

#[tokio::test]
async fn acting_on_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    for (backend, machine, action, status) in [
        (b.as_str(), m.as_str(), "explode", 400),
        (b.as_str(), m.as_str(), "", 400),
        (b.as_str(), m.as_str(), " Reboot now", 400),
        // Bare metal can only reboot: the capability guard's 409.
        (b.as_str(), m.as_str(), "stop", 409),
        (b.as_str(), m.as_str(), "START", 409),
        (b.as_str(), m.as_str(), "destroy", 409),
        (b.as_str(), "no-such-machine", "reboot", 404),
        (b.as_str(), "no-such-machine", "explode", 400),
        ("no-such-backend", m.as_str(), "reboot", 404),
        ("no-such-backend", "no-such-machine", "stop", 404),
    ] {
        let what = format!("{backend} {machine} {action:?}");
        let (page, api) = both(
            app,
            "machines/act",
            &[
                ("backend", backend),
                ("machine", machine),
                ("action", action),
            ],
            (
                Method::POST,
                &format!("/backends/{backend}/machines/{machine}"),
                json!({"action": action}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
    // No action named at all.
    let (page, api) = both(
        app,
        "machines/act",
        &[("backend", &b), ("machine", &m)],
        (
            Method::POST,
            &format!("/backends/{b}/machines/{m}"),
            json!({}),
        ),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
}

#[tokio::test]
async fn creating_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, _) = lab.bare_metal("box").await;
    let app = &lab.app;
    let full = [
        ("name", "web"),
        ("size", "s"),
        ("image", "i"),
        ("location", "l"),
    ];
    let mut cases: Vec<(String, Form, u16)> = Vec::new();
    // Each required field missing, then blank, on a real backend.
    for (i, (field, _)) in full.iter().enumerate() {
        let mut missing = full.to_vec();
        missing.remove(i);
        cases.push((b.clone(), missing, 400));
        let mut blank = full.to_vec();
        blank[i] = (field, "  ");
        cases.push((b.clone(), blank, 400));
    }
    // A key that is not there.
    let mut unknown_key = full.to_vec();
    unknown_key.push(("key", "no-such-key"));
    cases.push((b.clone(), unknown_key, 400));
    // A script too long, or blank (no script at all, so on to the backend).
    let long = "x".repeat(64 * 1024 + 1);
    let mut long_script = full.to_vec();
    long_script.push(("script", &long));
    cases.push((b.clone(), long_script, 400));
    // No such backend; a bare-metal backend, which creates nothing.
    cases.push(("no-such-backend".into(), full.to_vec(), 404));
    let mut blank_script = full.to_vec();
    blank_script.push(("script", " \n "));
    blank_script.push(("key", ""));
    cases.push((b.clone(), blank_script, 409));
    cases.push((b.clone(), full.to_vec(), 409));
    for (backend, form, status) in &cases {
        let mut page_form = vec![("backend", backend.as_str())];
        page_form.extend(form.iter().copied());
        let body: serde_json::Map<String, Value> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        let what = format!(
            "{backend} {:?}",
            form.iter().map(|(k, v)| (k, v.len())).collect::<Vec<_>>()
        );
        let (page, api) = both(
            app,
            "machines/create",
            &page_form,
            (
                Method::POST,
                &format!("/backends/{backend}/machines"),
                Value::Object(body),
            ),
        )
        .await;
        assert_eq!(page.0, *status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}

#[tokio::test]
async fn tagging_a_machine_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    let long = format!("env={}", "x".repeat(125));
    for (backend, machine, tags, status) in [
        (b.as_str(), m.as_str(), vec![long.as_str()], 400),
        (b.as_str(), m.as_str(), vec!["web", "a\u{1}b"], 400),
        (b.as_str(), m.as_str(), vec!["bell\u{7}"], 400),
        (b.as_str(), "no-such-machine", vec![long.as_str()], 400),
        (b.as_str(), "no-such-machine", vec!["web"], 404),
        ("no-such-backend", "no-such-machine", vec!["web"], 404),
        // Bare metal has no tags: the capability guard's 409.
        (b.as_str(), m.as_str(), vec!["env=prod", "web"], 409),
        (b.as_str(), m.as_str(), vec![], 409),
    ] {
        let what = format!("{backend} {machine} {tags:?}");
        let joined = tags.join(",");
        let page = answer(
            app.server_fn(
                "machines/tags",
                &[
                    ("backend", backend),
                    ("machine", machine),
                    ("tags", &joined),
                ],
                Some(&app.csrf()),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        let path = format!("/backends/{backend}/machines/{machine}/tags");
        // The REST door takes a list, or the page's comma-separated text.
        for body in [json!({"tags": tags}), json!({"tags": joined})] {
            let api = answer(app.api(Method::PUT, &path, Some(body.clone())).await).await;
            assert_eq!(page, api, "{what}: {body}");
        }
    }
    // What only JSON can send is judged by the service too.
    for tags in [json!(5), json!(["web", 1]), json!({"env": "prod"})] {
        let path = format!("/backends/{b}/machines/{m}/tags");
        let (status, body) = answer(
            app.api(Method::PUT, &path, Some(json!({"tags": tags})))
                .await,
        )
        .await;
        assert_eq!(status, 400, "{tags}: {body}");
        assert_eq!(body["field"], "tags", "{tags}: {body}");
    }
}

#[tokio::test]
async fn starting_a_script_answers_alike_at_both_doors() {
    let Some(lab) = crate::machines::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let app = &lab.app;
    let long = format!("#!/bin/sh\n{}", "#".repeat(64 * 1024));
    for (backend, machine, script, status) in [
        (b.as_str(), m.as_str(), "", 400),
        (b.as_str(), m.as_str(), " \r\n\t", 400),
        (b.as_str(), m.as_str(), long.as_str(), 400),
        (b.as_str(), "no-such-machine", "echo hi", 404),
        ("no-such-backend", m.as_str(), "echo hi", 404),
        (b.as_str(), "no-such-machine", "", 400),
    ] {
        let what = format!("{backend} {machine} {} bytes", script.len());
        let (page, api) = both(
            app,
            "scripts/start",
            &[
                ("backend", backend),
                ("machine", machine),
                ("script", script),
            ],
            (
                Method::POST,
                &format!("/backends/{backend}/machines/{machine}/scripts"),
                json!({"script": script}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}

#[tokio::test]
async fn importing_renaming_and_deleting_keys_answer_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let good = ssh::KeyPair::generate(ssh::KeyAlgorithm::Ed25519)
        .unwrap()
        .private_openssh();
    let truncated = good[..good.len() / 2].to_owned();
    for (id, private, passphrase, status) in [
        ("k", "not a key", None, 400),
        ("k", "", None, 400),
        ("k", truncated.as_str(), None, 400),
        (
            "k",
            good.as_str(),
            Some("a passphrase it does not have"),
            201,
        ),
        ("", good.as_str(), None, 400),
        ("bad/name", good.as_str(), None, 400),
        ("   ", "not a key", None, 400),
    ] {
        let what = format!("{id:?} {} bytes {passphrase:?}", private.len());
        let mut form = vec![("id", id), ("private_key", private)];
        let mut body = json!({"id": id, "priv": private});
        if let Some(p) = passphrase {
            form.push(("passphrase", p));
            body["passphrase"] = json!(p);
        }
        let (page, api) = both(&app, "keys/import", &form, (Method::PUT, "/keys", body)).await;
        if status == 201 {
            // An unencrypted key ignores the passphrase: stored by the page,
            // then a conflict at REST.
            assert_eq!(page.0, 200, "{what}: {page:?}");
            assert_eq!(api.0, 409, "{what}: {api:?}");
            let again = answer(app.server_fn("keys/import", &form, Some(&app.csrf())).await).await;
            assert_eq!(again, api, "{what}");
        } else {
            assert_eq!(page.0, status, "{what}: {page:?}");
            assert_eq!(page, api, "{what}");
        }
    }
    for name in ["taken", "mine"] {
        let res = app
            .api(
                Method::POST,
                "/keys/generate",
                Some(json!({"id": name, "algorithm": "ed25519"})),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    for (id, new_id, status) in [
        ("mine", "taken", 409),
        ("mine", "", 400),
        ("mine", "  ", 400),
        ("mine", "bad/name", 400),
        ("mine", &"n".repeat(65), 400),
        ("no-such-key", "fresh", 404),
        ("no-such-key", "", 400),
    ] {
        let what = format!("{id:?} -> {new_id:?}");
        let (page, api) = both(
            &app,
            "keys/rename",
            &[("id", id), ("new_id", new_id)],
            (
                Method::PUT,
                &format!("/keys/{id}"),
                json!({"new_id": new_id}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
    let (page, api) = both(
        &app,
        "keys/rename",
        &[("id", "mine")],
        (Method::PUT, "/keys/mine", json!({})),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
    let (page, api) = both(
        &app,
        "keys/delete",
        &[("id", "no-such-key")],
        (Method::DELETE, "/keys/no-such-key", json!({})),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
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
