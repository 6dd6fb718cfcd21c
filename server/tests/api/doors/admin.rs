//! Users, roles and backends: the master's operations.

use super::*;

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
async fn a_backends_default_image_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (id, image) in [("b", "ami-1"), ("b", "bad\u{7}image"), ("b", "")] {
        let (page, api) = both(
            &app,
            "backends/default_image",
            &[("id", id), ("default_image", image)],
            (
                Method::PUT,
                &format!("/backends/{id}"),
                json!({"default_image": image}),
            ),
        )
        .await;
        assert!(matches!(page.0, 400 | 404), "{id:?} {image:?}: {page:?}");
        assert_eq!(page, api, "{id:?} {image:?}");
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
